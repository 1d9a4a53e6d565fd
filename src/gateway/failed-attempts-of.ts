import type { FailedAttempt } from "../spec/index.js";

const attemptsByError = new WeakMap<object, readonly FailedAttempt[]>();

/** Records the attempts of a call that failed with `error` (every attempt the gateway made for it). Returns `error`. */
export function attachFailedAttempts(error: unknown, attempts: readonly FailedAttempt[]): unknown {
  if (typeof error === "object" && error !== null && attempts.length > 0) attemptsByError.set(error, [...attempts]);
  return error;
}

/**
 * The attempts behind an error a gateway model threw (retries and failovers, the last one included), so metering can
 * record what the upstreams consumed before the call failed; empty when none is known.
 */
export function failedAttemptsOf(error: unknown): readonly FailedAttempt[] {
  return (typeof error === "object" && error !== null && attemptsByError.get(error)) || [];
}
