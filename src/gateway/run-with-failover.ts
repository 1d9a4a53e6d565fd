import { CircuitOpenError } from "../spec/index.js";
import type { CircuitBreaker } from "./circuit-breaker.js";
import { isRetryableError, retryDelay, type RetryPolicy } from "./retry-policy.js";
import type { Route } from "./route.js";

export type FailoverOptions = {
  /** The public model name, for the error when every circuit is open. */
  modelName: string;
  breakerFor(routeKey: string): CircuitBreaker;
  retry: RetryPolicy;
  delay(milliseconds: number, signal: AbortSignal | undefined): Promise<void>;
  abortSignal: AbortSignal | undefined;
};

/**
 * Calls `attempt` on each route in order, skipping routes whose circuit is open. A retryable failure is
 * retried on the same route with exponential backoff, then the next route is tried; a non-retryable
 * failure (bad request, context overflow, a bug) or an abort propagates at once. When every route
 * failed, the last failure is thrown; when every route was skipped, a CircuitOpenError.
 */
export async function runWithFailover<MODEL, RESULT>(
  routes: readonly Route<MODEL>[],
  attempt: (route: Route<MODEL>, breaker: CircuitBreaker) => Promise<RESULT>,
  options: FailoverOptions,
): Promise<RESULT> {
  let lastError: unknown;
  for (const route of routes) {
    const breaker = options.breakerFor(route.key);
    for (let retry = 0; breaker.tryAcquire(); retry += 1) {
      try {
        const result = await attempt(route, breaker);
        breaker.recordSuccess();
        return result;
      } catch (error) {
        if (options.abortSignal?.aborted || !isRetryableError(error)) {
          breaker.release();
          throw error;
        }
        breaker.recordFailure();
        lastError = error;
      }
      if (retry >= options.retry.maxRetries || breaker.state !== "closed") break;
      await options.delay(retryDelay(options.retry, retry), options.abortSignal);
    }
  }
  throw (
    lastError ??
    new CircuitOpenError({
      message: `every route of model '${options.modelName}' is paused by its circuit breaker after repeated failures; retry later`,
      code: "circuit_open",
    })
  );
}
