import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/** An upstream provider failed (HTTP error, bad payload, dropped stream). */
export class UpstreamError extends AiplusError {
  readonly statusCode = 502;
  readonly type = "upstream_error" as const;
  override readonly isRetryable: boolean;
  /** The upstream's HTTP status, when it answered. */
  readonly upstreamStatus: number | undefined;
  readonly responseBody: string | undefined;

  constructor(options: AiplusErrorOptions & { upstreamStatus?: number | undefined; responseBody?: string | undefined; isRetryable?: boolean }) {
    super(options);
    this.upstreamStatus = options.upstreamStatus;
    this.responseBody = options.responseBody;
    const status = options.upstreamStatus;
    this.isRetryable =
      options.isRetryable ?? (status === undefined || status === 408 || status === 409 || status === 429 || status >= 500);
  }
}
