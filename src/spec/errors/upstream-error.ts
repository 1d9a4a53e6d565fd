import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** An upstream provider failed (HTTP error, bad payload, dropped stream). */
export class UpstreamError extends AiplusError {
  readonly statusCode = 502;
  readonly type = "upstream_error" as const;
  override readonly isRetryable: boolean;
  /** The upstream's HTTP status, when it answered. */
  readonly upstreamStatus: number | undefined;
  readonly responseBody: string | undefined;
  /** The upstream's `Retry-After` in seconds, when it sent one; passed on to the client as `retry-after`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    options: AiplusErrorOptions & {
      upstreamStatus?: number | undefined;
      responseBody?: string | undefined;
      isRetryable?: boolean;
      retryAfterSeconds?: number | undefined;
    },
  ) {
    super(options);
    this.upstreamStatus = options.upstreamStatus;
    this.responseBody = options.responseBody;
    this.retryAfterSeconds = options.retryAfterSeconds;
    const status = options.upstreamStatus;
    this.isRetryable =
      options.isRetryable ?? (status === undefined || status === 408 || status === 409 || status === 429 || status >= 500);
  }

  override headers(): Record<string, string> {
    return this.retryAfterSeconds === undefined ? {} : { "retry-after": String(Math.ceil(this.retryAfterSeconds)) };
  }
}
