import { AiplusError, type AiplusErrorOptions } from "../../spec/index.js";

/** The request conflicts with the resource's state (a battle already voted): HTTP 409. */
export class ConflictError extends AiplusError {
  readonly statusCode = 409;
  readonly type = "invalid_request_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
