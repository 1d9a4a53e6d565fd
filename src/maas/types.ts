import type { ApiKeyId, Usage } from "../spec/index.js";

/** An authenticated caller. */
export type KeyPrincipal = {
  id: ApiKeyId;
  name: string;
  prefix: string;
  isAdmin: boolean;
  /** Allowed model names; undefined allows every model. */
  models: string[] | undefined;
  rpm: number | undefined;
  tpm: number | undefined;
  budgetNanos: number | undefined;
};

/** What a request may cost at most, known before the call. */
export type ReservationRequest = {
  principal: KeyPrincipal;
  model: string;
  endpoint: "chat.completions" | "completions" | "embeddings" | "rerank";
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
  settle(outcome: { usage: Usage; status: "ok" | "error" | "cancelled"; error?: string | undefined }): Promise<void>;
}
