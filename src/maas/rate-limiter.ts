import type { KeyPrincipal } from "./types.js";

/**
 * Per-key requests-per-minute and tokens-per-minute limits over a sliding 60 s window. Every method throws
 * RateLimitError (with `retryAfterSeconds` until the window frees enough room) when a limit would be exceeded.
 * Keys without `rpm`/`tpm` are not limited. `now` is epoch ms (injected for tests).
 */
export interface RateLimiter {
  /** Counts one request against `rpm`, or throws without counting it. */
  checkRequest(principal: KeyPrincipal, now?: number): Promise<void>;
  /** Checks that `estimatedTokens` more fit in `tpm` now (nothing is recorded). */
  checkTokens(principal: KeyPrincipal, estimatedTokens: number, now?: number): Promise<void>;
  /** Records tokens actually processed and generated. */
  recordTokens(principal: KeyPrincipal, tokens: number, now?: number): Promise<void>;
}

/** Length of the sliding window. */
export const rateLimitWindowMs = 60_000;
