import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** The request is malformed or a parameter is invalid (`param` names it). */
export class InvalidRequestError extends AiplusError {
  readonly statusCode = 400;
  readonly type = "invalid_request_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
