import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** Every route of a model is paused by its circuit breaker (repeated failures, or an upstream's `Retry-After`). */
export class CircuitOpenError extends AiplusError {
  readonly statusCode = 503;
  readonly type = "overloaded_error" as const;
  override readonly isRetryable = true;
  /** Seconds until the first route lets a call through again. */
  readonly retryAfterSeconds: number;

  constructor(options: AiplusErrorOptions & { retryAfterSeconds: number }) {
    super({ code: "circuit_open", ...options });
    this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
  }

  override headers(): Record<string, string> {
    return { "retry-after": String(this.retryAfterSeconds) };
  }
}
