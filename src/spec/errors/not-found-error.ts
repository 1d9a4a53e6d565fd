import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** An unknown model or resource. */
export class NotFoundError extends AiplusError {
  readonly statusCode = 404;
  readonly type = "not_found_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
