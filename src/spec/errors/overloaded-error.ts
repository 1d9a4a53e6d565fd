import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/**
 * The engine's queue is full (or its memory is taken by busy models): back-pressure, not a failure of the
 * route. 503 with `retry-after`; the gateway never counts it against a circuit breaker.
 */
export class OverloadedError extends AiplusError {
  readonly statusCode = 503;
  readonly type = "overloaded_error" as const;
  override readonly isRetryable = true;
  /** Seconds after which a retry may find room. Defaults to 1. */
  readonly retryAfterSeconds: number;

  constructor(options: AiplusErrorOptions & { retryAfterSeconds?: number | undefined }) {
    super(options);
    this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds ?? 1));
  }

  override headers(): Record<string, string> {
    return { "retry-after": String(this.retryAfterSeconds) };
  }
}
