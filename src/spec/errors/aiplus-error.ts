const marker = Symbol.for("aiplus.error");

/** OpenAI error `type` values we emit. */
export type OpenAIErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "server_error"
  | "overloaded_error"
  | "upstream_error"
  /** A guardrail blocked the request or the answer (`code` names the rule, never the value). */
  | "content_filter";

export type AiplusErrorOptions = {
  message: string;
  cause?: unknown;
  /** OpenAI `error.param`: the offending request field. */
  param?: string | undefined;
  /** OpenAI `error.code`: a stable machine-readable code. */
  code?: string | undefined;
};

/**
 * Base of every aiplus failure. Subclasses fix `statusCode`, `type` and `isRetryable`;
 * the API's single error handler maps any of them to OpenAI's error JSON.
 */
export abstract class AiplusError extends Error {
  private readonly [marker] = true;
  abstract readonly statusCode: number;
  abstract readonly type: OpenAIErrorType;
  /** Whether repeating the same call later (or on another route) may succeed. */
  readonly isRetryable: boolean = false;
  readonly param: string | undefined;
  readonly code: string | undefined;

  constructor(options: AiplusErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = new.target.name;
    this.param = options.param;
    this.code = options.code;
  }

  /** True for any AiplusError, even from a duplicate copy of this module. */
  static isInstance(error: unknown): error is AiplusError {
    return typeof error === "object" && error !== null && marker in error;
  }

  /** Extra response headers (e.g. `retry-after`). */
  headers(): Record<string, string> {
    return {};
  }
}
