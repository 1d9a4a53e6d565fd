import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** An upstream route is disabled by its circuit breaker after repeated failures. */
export class CircuitOpenError extends AiplusError {
  readonly statusCode = 503;
  readonly type = "overloaded_error" as const;
  override readonly isRetryable = true;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
