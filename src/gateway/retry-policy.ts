import { AiplusError } from "../spec/index.js";

/** Retries of one route before the first byte. */
export type RetryPolicy = {
  /** Retries after the first attempt. Defaults to 2. */
  maxRetries: number;
  /** Wait before the first retry; doubles on each further retry. Defaults to 200 ms. */
  initialDelayMs: number;
  /** Upper bound of the wait. Defaults to 2000 ms. */
  maxDelayMs: number;
};

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 2, initialDelayMs: 200, maxDelayMs: 2000 };

/** Exponential backoff: the wait before retry number `retry` (0-based). */
export function retryDelay(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
}

/** Whether a failure may succeed on a repeat or another route (AiplusError.isRetryable; anything else is a bug). */
export function isRetryableError(error: unknown): boolean {
  return AiplusError.isInstance(error) && error.isRetryable;
}
