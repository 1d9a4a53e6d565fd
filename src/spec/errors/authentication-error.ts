import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** Missing, unknown, expired or revoked API key. */
export class AuthenticationError extends AiplusError {
  readonly statusCode = 401;
  readonly type = "authentication_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
