import { CircuitOpenError } from "../spec/index.js";
import type { BreakerPermit, CircuitBreaker } from "./circuit-breaker.js";
import { isBackPressure, isRetryableError, retryAfterMsOf, retryDelay, type RetryPolicy } from "./retry-policy.js";
import type { Route } from "./route.js";

export type FailoverOptions = {
  /** The public model name, for the error when every circuit is open. */
  modelName: string;
  breakerFor(routeKey: string): CircuitBreaker;
  retry: RetryPolicy;
  delay(milliseconds: number, signal: AbortSignal | undefined): Promise<void>;
  abortSignal: AbortSignal | undefined;
  /** Told how long each successful attempt took until its answer started (the route's recent latency). */
  recordLatency?: ((routeKey: string, milliseconds: number) => void) | undefined;
};

/** One call on a route, whose outcome feeds the route's circuit breaker. Only the first report counts. */
export type RouteCall = {
  /** The call finished normally. */
  succeeded(): void;
  /** The route failed (5xx, timeout, cut stream); `retryAfterMs` is its `Retry-After`, if it sent one. */
  failed(retryAfterMs?: number | undefined): void;
  /** The call ended without saying anything about the route's health (cancelled, invalid, back-pressure). */
  released(): void;
};

function routeCall(breaker: CircuitBreaker, permit: BreakerPermit): RouteCall {
  let reported = false;
  const once = (report: () => void) => () => {
    if (reported) return;
    reported = true;
    report();
  };
  return {
    succeeded: once(() => breaker.recordSuccess(permit)),
    failed: (retryAfterMs) => once(() => breaker.recordFailure(permit, retryAfterMs))(),
    released: once(() => breaker.release(permit)),
  };
}

/**
 * Calls `attempt` on each route in order, skipping routes whose circuit is open. A retryable failure is
 * retried on the same route (after the upstream's `Retry-After` when it is at most `retry.maxRetryAfterMs`, else
 * with exponential backoff), then the next route is tried. Back-pressure (a full engine queue) and any failure of
 * the local engine go straight to the next route without counting against the breaker. A non-retryable failure
 * (bad request, context overflow, a bug) or an abort propagates at once. When every route failed, the last
 * failure is thrown; when every route was skipped, a CircuitOpenError with the time until one reopens.
 *
 * A resolved attempt counts as a success unless `attempt` reports the outcome itself (`reportsOutcome`: a stream
 * counts only once it finishes).
 */
export async function runWithFailover<MODEL, RESULT>(
  routes: readonly Route<MODEL>[],
  attempt: (route: Route<MODEL>, call: RouteCall) => Promise<RESULT>,
  options: FailoverOptions & { reportsOutcome?: boolean },
): Promise<RESULT> {
  let lastError: unknown;
  for (const route of routes) {
    const breaker = options.breakerFor(route.key);
    for (let retry = 0; ; retry += 1) {
      const permit = breaker.tryAcquire();
      if (!permit) break;
      const call = routeCall(breaker, permit);
      let wait: number;
      try {
        const started = performance.now();
        const result = await attempt(route, call);
        options.recordLatency?.(route.key, performance.now() - started);
        if (!options.reportsOutcome) call.succeeded();
        return result;
      } catch (error) {
        if (options.abortSignal?.aborted || !isRetryableError(error)) {
          call.released();
          throw error;
        }
        lastError = error;
        if (route.local || isBackPressure(error)) {
          call.released();
          break;
        }
        const retryAfterMs = retryAfterMsOf(error);
        call.failed(retryAfterMs);
        if (retry >= options.retry.maxRetries || breaker.state !== "closed") break;
        if (retryAfterMs !== undefined && retryAfterMs > options.retry.maxRetryAfterMs) break;
        // Just past the pause the failure set on the breaker, so the retry is let through.
        wait = retryAfterMs !== undefined ? retryAfterMs + 1 : retryDelay(options.retry, retry);
      }
      await options.delay(wait, options.abortSignal);
    }
  }
  if (lastError !== undefined) throw lastError;
  const waitMs = Math.min(...routes.map((route) => options.breakerFor(route.key).waitMs()));
  throw new CircuitOpenError({
    message: `every route of model '${options.modelName}' is paused after repeated failures or at the upstream's request; retry later`,
    retryAfterSeconds: Number.isFinite(waitMs) ? waitMs / 1000 : 1,
  });
}
