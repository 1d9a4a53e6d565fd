import { AiplusError, OverloadedError, UpstreamError } from "../spec/index.js";

/** Retries of one route before anything was handed on to the caller. */
export type RetryPolicy = {
  /** Retries after the first attempt. Defaults to 2. */
  maxRetries: number;
  /** Wait before the first retry; doubles on each further retry. Defaults to 200 ms. */
  initialDelayMs: number;
  /** Upper bound of the wait. Defaults to 2000 ms. */
  maxDelayMs: number;
  /**
   * Longest upstream `Retry-After` waited out before retrying the same route; a longer one fails over to the next
   * route at once (the route stays paused until then). Defaults to 5000 ms.
   */
  maxRetryAfterMs: number;
};

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 2, initialDelayMs: 200, maxDelayMs: 2000, maxRetryAfterMs: 5000 };

/** Exponential backoff: the wait before retry number `retry` (0-based). */
export function retryDelay(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
}

/** Whether a failure may succeed on a repeat or another route (AiplusError.isRetryable; anything else is a bug). */
export function isRetryableError(error: unknown): boolean {
  return AiplusError.isInstance(error) && error.isRetryable;
}

/** Back-pressure (the engine's queue is full): the route is healthy but busy, so it is not a route failure. */
export function isBackPressure(error: unknown): boolean {
  return error instanceof OverloadedError;
}

/** The upstream's `Retry-After` of a failure, in milliseconds, when it sent one. */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (!(error instanceof UpstreamError) || error.retryAfterSeconds === undefined) return undefined;
  return error.retryAfterSeconds * 1000;
}
