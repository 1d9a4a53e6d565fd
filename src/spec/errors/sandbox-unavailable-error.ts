import { AiplusError, type AiplusErrorOptions } from "./aiplus-error.js";

/**
 * The code sandbox (bubblewrap with user namespaces) cannot run here. Code is never run without it: the operator
 * installs bubblewrap (`apt-get install bubblewrap`) or enables unprivileged user namespaces.
 */
export class SandboxUnavailableError extends AiplusError {
  readonly statusCode = 503;
  readonly type = "server_error" as const;
  override readonly isRetryable = false;
  constructor(options: AiplusErrorOptions) {
    super({ code: "sandbox_unavailable", ...options });
  }
}
