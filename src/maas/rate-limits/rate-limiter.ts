import type { KeyPrincipal } from "../types.js";

/**
 * Per-key limits: requests per minute and tokens per minute over a sliding 60 s window, and a cap on concurrent
 * requests. Every check throws RateLimitError (429 with `retryAfterSeconds` until enough room frees) when a limit would
 * be exceeded, and ServiceUnavailableError (503 `rate_limiter_unavailable`) when the store that holds the counts cannot
 * be reached: a limited key is never served unlimited. Keys without `rpm`/`tpm`/`maxConcurrentRequests` are not
 * limited and never touch the store. `now` is epoch ms (injected for tests).
 *
 * Implementations: in memory (one instance), and shared by every instance through PostgreSQL or Redis
 * (`createRateLimiter`).
 */
export interface RateLimiter {
  /** Counts one request against `rpm`, or throws without counting it. */
  checkRequest(principal: KeyPrincipal, now?: number): Promise<void>;
  /** Checks that `estimatedTokens` more fit in `tpm` now (nothing is recorded). */
  checkTokens(principal: KeyPrincipal, estimatedTokens: number, now?: number): Promise<void>;
  /** Records tokens actually processed and generated. */
  recordTokens(principal: KeyPrincipal, tokens: number, now?: number): Promise<void>;
  /**
   * Takes one of the key's `maxConcurrentRequests` slots (429 `concurrency_limit_exceeded` when all are taken) and
   * returns the slot. A shared limiter holds the slot as a lease that this process renews while it runs, so the slot
   * of a process that died frees itself after `leaseMs`.
   */
  acquireSlot(principal: KeyPrincipal, now?: number): Promise<ConcurrencySlot>;
  /** Extends every slot this process holds to `now + leaseMs` (a timer does it every `leaseMs / 3`). */
  renewSlots(now?: number): Promise<void>;
  /** Stops the renewal timer and closes the limiter's own connections (slots still held lapse after `leaseMs`). */
  dispose(): Promise<void>;
}

/** One concurrent-request slot of a key. */
export interface ConcurrencySlot {
  /** Frees the slot. Idempotent; never throws (a slot that cannot be freed now lapses when its lease ends). */
  release(): Promise<void>;
}

/** Length of the sliding window. */
export const rateLimitWindowMs = 60_000;

/** How long a shared concurrency slot lives without renewal. */
export const defaultSlotLeaseMs = 30_000;
