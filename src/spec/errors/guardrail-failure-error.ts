import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/**
 * A guardrail could not decide (a detector threw or ran past its time limit, a policy could not be loaded, the audit
 * log could not be written): the request is refused before anything reaches a model, or a stream ends with an error.
 * Never retried on another route: the guardrails fail closed.
 */
export class GuardrailFailureError extends AiplusError {
  readonly statusCode = 500;
  readonly type = "server_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super({ code: "guardrail_failed", ...options });
  }
}
