import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** The key may not use this model or endpoint. */
export class PermissionDeniedError extends AiplusError {
  readonly statusCode = 403;
  readonly type = "permission_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
