import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** A bug: anything unexpected. */
export class InternalError extends AiplusError {
  readonly statusCode = 500;
  readonly type = "server_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
