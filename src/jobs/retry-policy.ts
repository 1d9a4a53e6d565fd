import type { JobRetryPolicy } from "./types.js";

/** Never retries: a handler's error fails the job (the default of a runner). */
export const noRetries: JobRetryPolicy = { attempts: 1, backoffMs: 0 };

/** The wait before the retry that follows start number `attempts` (1 → `backoffMs`, 2 → twice that, …). */
export function retryDelayMs(policy: JobRetryPolicy, attempts: number): number {
  return policy.backoffMs * 2 ** Math.max(0, attempts - 1);
}

/**
 * When a queued job may start: at once, or (a retry waiting out its backoff: a queued job that keeps the error of its
 * last start) `retryDelayMs` after it was queued again.
 */
export function startableAt(job: { error: string | null; attempts: number; updatedAt: number }, policy: JobRetryPolicy): number {
  return job.error === null || job.attempts === 0 ? 0 : job.updatedAt + retryDelayMs(policy, job.attempts);
}
