import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/**
 * A guardrail policy blocked the request (or the answer): OpenAI-style `type: "content_filter"`, `code` naming the rule
 * (e.g. `pii_credit_card`, `injection`, `canary_echo`). The message never contains the detected value.
 */
export class ContentFilterError extends AiplusError {
  readonly statusCode = 400;
  readonly type = "content_filter" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions & { code: string }) {
    super(options);
  }
}
