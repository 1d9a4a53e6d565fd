import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/**
 * The request conflicts with the current state: e.g. removing a model that knowledge bases still use
 * (`model_in_use`), or querying a knowledge base whose embedding model was removed (`knowledge_base_unusable`).
 */
export class ConflictError extends AiplusError {
  readonly statusCode = 409;
  readonly type = "invalid_request_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
