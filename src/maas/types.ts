import type { ApiKeyId, Usage } from "../spec/index.js";

/** An authenticated caller. */
export type KeyPrincipal = {
  id: ApiKeyId;
  name: string;
  prefix: string;
  isAdmin: boolean;
  /** Granted code execution (sandboxed code-running eval tasks); admin keys always may. */
  allowCodeExecution: boolean;
  /** Allowed model names; undefined allows every model. */
  models: string[] | undefined;
  rpm: number | undefined;
  tpm: number | undefined;
  /** Cap on the key's concurrent model calls, across every instance; undefined: none. */
  maxConcurrentRequests?: number | undefined;
  budgetNanos: number | undefined;
  /** The key's own guardrail policy (tightens the default one); undefined: the default policy alone. */
  policy?: string | undefined;
};

/** What a request may cost at most, known before the call. */
export type ReservationRequest = {
  principal: KeyPrincipal;
  model: string;
  endpoint: "chat.completions" | "completions" | "responses" | "embeddings" | "rerank";
  /** Upper bound of prompt tokens (exact count for local models, bytes otherwise). */
  maxInputTokens: number;
  /** Upper bound of generated tokens (max_tokens, or the configured default). */
  maxOutputTokens: number;
};

/**
 * One request's durable ledger entry, opened before the call and settled exactly once.
 * `checkpoint` records progress so a crash bills what was already delivered.
 */
export interface MeteredRequest {
  readonly id: string;
  /** Sets the route that serves the request (`local` or a provider name). */
  setRoute(route: string): void;
  /** Records tokens processed/generated so far (called as chunks go out). */
  checkpoint(usage: Usage): Promise<void>;
  /** Final usage; computes cost from the price book, releases the reservation. Idempotent. */
  settle(outcome: SettleOutcome): Promise<void>;
}

/** How a metered request ended. */
export type SettleOutcome = {
  /** Tokens the request consumed (recorded on the row; their cost at the price book is the provider cost). */
  usage: Usage;
  /** `interrupted`: the server cut the request (shutdown). */
  status: "ok" | "error" | "cancelled" | "interrupted";
  error?: string | undefined;
  /**
   * Whether the key pays for `usage`. False when the client received only an error response: the key is charged 0
   * (its reservation released) while the row keeps the tokens and their cost as the provider cost. Defaults to true.
   */
  charged?: boolean | undefined;
  /**
   * Usage of each attempt the gateway abandoned for the request (retries and failovers before the route that
   * answered; for a request that failed, every attempt). Recorded on the row and added to its provider cost at the
   * model's price; never charged to the key.
   */
  failedAttempts?: readonly Usage[] | undefined;
};
