import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** An upstream provider did not answer in time. */
export class UpstreamTimeoutError extends AiplusError {
  readonly statusCode = 504;
  readonly type = "upstream_error" as const;
  override readonly isRetryable = true;
  constructor(options: AiplusErrorOptions) {
    super(options);
  }
}
