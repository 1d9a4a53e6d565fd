import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** The engine's queue is full; try again later. */
export class OverloadedError extends AiplusError {
  readonly statusCode = 503;
  readonly type = "overloaded_error" as const;
  override readonly isRetryable = true;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
