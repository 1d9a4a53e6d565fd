import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/**
 * The server cannot serve the request now: it is shutting down (`server_shutting_down`, the default code), the
 * model went away mid-generation (`model_unloaded`) or the shared rate-limit store cannot be reached
 * (`rate_limiter_unavailable`). 503 with `retry-after`: another instance, or this one after a restart, can serve it.
 */
export class ServiceUnavailableError extends AiplusError {
  readonly statusCode = 503;
  readonly type = "server_error" as const;
  override readonly isRetryable = true;
  /** Seconds after which a retry may succeed. Defaults to 5. */
  readonly retryAfterSeconds: number;

  constructor(options: AiplusErrorOptions & { retryAfterSeconds?: number | undefined }) {
    super({ code: "server_shutting_down", ...options });
    this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds ?? 5));
  }

  override headers(): Record<string, string> {
    return { "retry-after": String(this.retryAfterSeconds) };
  }
}
