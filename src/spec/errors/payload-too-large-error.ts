import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** The request body exceeds the configured limit. */
export class PayloadTooLargeError extends AiplusError {
  readonly statusCode = 413;
  readonly type = "invalid_request_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }

  /** The rest of the body is never read: the connection closes after the answer, so keep-alive clients do not reuse it. */
  override headers(): Record<string, string> {
    return { connection: "close" };
  }
}
