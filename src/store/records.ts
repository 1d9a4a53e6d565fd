import type { ApiKeyId, ProviderId } from "../spec/index.js";

/** Domain records the repositories return (camelCase, parsed; JSON columns already decoded). */

export type ProviderRecord = {
  id: ProviderId;
  name: string;
  /** e.g. `http://127.0.0.1:8000/v1` (the `/v1` is part of the base URL, as in the openai SDK). */
  baseUrl: string;
  apiKey: string | undefined;
  /** Model names this provider serves. */
  models: string[];
  /** Lower is tried first. Defaults to 100. */
  priority: number;
  /** Timeout until the first byte. Defaults to 60000. */
  timeoutMs: number;
  createdAt: number;
};

export type BudgetPeriod = "day" | "week" | "month" | "total";

export type ApiKeyRecord = {
  id: ApiKeyId;
  name: string;
  prefix: string;
  isAdmin: boolean;
  /** May start runs that execute code in the sandbox (admin keys always may). */
  allowCodeExecution: boolean;
  models: string[] | undefined;
  rpm: number | undefined;
  tpm: number | undefined;
  /** Cap on concurrent requests (all instances together); undefined: none. */
  maxConcurrentRequests: number | undefined;
  budgetNanos: number | undefined;
  budgetPeriod: BudgetPeriod;
  periodStart: number;
  spentNanos: number;
  reservedNanos: number;
  expiresAt: number | undefined;
  revokedAt: number | undefined;
  createdAt: number;
  /** The key's own guardrail policy (tightens the default one); undefined: the default policy alone. */
  policy: string | undefined;
};

export type PriceRecord = {
  model: string;
  /** Micro-dollars per 1M input tokens ($1.50/1M = 1_500_000). */
  inputMicrosPerMillion: number;
  outputMicrosPerMillion: number;
  updatedAt: number;
};

export type UsageStatus = "pending" | "ok" | "error" | "cancelled" | "interrupted";

export type UsageRecord = {
  id: string;
  keyId: ApiKeyId | undefined;
  model: string;
  route: string | undefined;
  endpoint: string;
  status: UsageStatus;
  cancelled: boolean;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** Charged to the key. */
  costNanos: number;
  /**
   * What the tokens cost at the price book, charged or not (a failed request is charged 0 but keeps this), plus what
   * the tokens of its failed attempts cost.
   */
  providerCostNanos: number;
  /** Attempts the gateway abandoned (retries, failovers; for a failed request, every attempt). */
  failedAttempts: number;
  /** Tokens of the failed attempts, as far as known; never charged to the key. */
  failedInputTokens: number | undefined;
  failedOutputTokens: number | undefined;
  latencyMs: number | undefined;
  error: string | undefined;
  createdAt: number;
  finishedAt: number | undefined;
};
