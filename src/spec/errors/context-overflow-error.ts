import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** Prompt plus requested completion do not fit the model's context window. Never truncated silently. */
export class ContextOverflowError extends AiplusError {
  readonly statusCode = 400;
  readonly type = "invalid_request_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
