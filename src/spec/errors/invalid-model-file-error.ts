import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** A file that is not a loadable GGUF model (bad magic, truncated, unsupported). */
export class InvalidModelFileError extends AiplusError {
  readonly statusCode = 400;
  readonly type = "invalid_request_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
