import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** Which limit was hit. */
export type RateLimitKind = "requests-per-minute" | "tokens-per-minute" | "concurrent-requests" | "budget";

/** A key exceeded its rate limit or spending budget (429 with `retry-after`). */
export class RateLimitError extends AiplusError {
  readonly statusCode = 429;
  readonly type: "rate_limit_error" | "insufficient_quota";
  override readonly isRetryable = true;
  readonly limit: RateLimitKind;
  /** Seconds until a retry can succeed. */
  readonly retryAfterSeconds: number;

  constructor(options: AiplusErrorOptions & { limit: RateLimitKind; retryAfterSeconds: number }) {
    super({ code: options.limit === "budget" ? "budget_exceeded" : options.limit === "concurrent-requests" ? "concurrency_limit_exceeded" : "rate_limit_exceeded", ...options });
    this.limit = options.limit;
    this.type = options.limit === "budget" ? "insufficient_quota" : "rate_limit_error";
    this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
  }

  override headers(): Record<string, string> {
    return { "retry-after": String(this.retryAfterSeconds) };
  }
}
