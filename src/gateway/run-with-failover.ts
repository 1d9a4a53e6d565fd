import { CircuitOpenError } from "../spec/index.js";
import type { BreakerPermit, CircuitBreaker } from "./circuit-breaker.js";
import { isBackPressure, isRetryableError, retryAfterMsOf, retryDelay, type RetryPolicy } from "./retry-policy.js";
import type { Route } from "./route.js";
import type { RouteBalancer } from "./route-balancer.js";

export type FailoverOptions = {
  /** The public model name, for the error when every circuit is open. */
  modelName: string;
  breakerFor(routeKey: string): CircuitBreaker;
  /** Requests in flight per engine and the pools' turn order (shared by every call of the gateway). */
  balancer: RouteBalancer;
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

/** A call on a route: its first report feeds the breaker and ends the call's count of requests in flight. */
function routeCall(breaker: CircuitBreaker, permit: BreakerPermit, end: () => void): RouteCall {
  let reported = false;
  const once = (report: () => void) => () => {
    if (reported) return;
    reported = true;
    end();
    report();
  };
  return {
    succeeded: once(() => breaker.recordSuccess(permit)),
    failed: (retryAfterMs) => once(() => breaker.recordFailure(permit, retryAfterMs))(),
    released: once(() => breaker.release(permit)),
  };
}

/** A pool member during one call: its retries so far, and when it may go again (on the call's clock of waits). */
type Member<MODEL> = { route: Route<MODEL>; retries: number; readyAt: number };

/**
 * The routes as pools in the order they are tried: adjacent routes of one tier form a pool, tiers ascending. Routes
 * whose engine failed its health check come last (a last resort, in pools of their own), so a false alarm never makes a
 * model unreachable.
 */
function poolsOf<MODEL>(routes: readonly Route<MODEL>[], balancer: RouteBalancer): Route<MODEL>[][] {
  const up = routes.filter((route) => !balancer.isDown(route.upstream));
  const down = routes.filter((route) => balancer.isDown(route.upstream));
  const pools: Route<MODEL>[][] = [];
  for (const group of [up, down]) {
    let pool: Route<MODEL>[] | undefined;
    for (const route of group) {
      if (pool === undefined || pool[0]!.tier !== route.tier) pools.push((pool = []));
      pool.push(route);
    }
  }
  return pools;
}

/**
 * Calls `attempt` on the routes pool by pool (see {@link poolsOf}), skipping routes whose circuit is open or that a
 * `Retry-After` paused. Within a pool, each attempt goes to the member with the fewest requests in flight (see
 * {@link RouteBalancer}); a retryable failure moves on to the pool's next member at once, and a member that failed is
 * retried (at most `retry.maxRetries` times) once its wait is over: the upstream's `Retry-After` when it is at most
 * `retry.maxRetryAfterMs` (a longer one drops the member), else exponential backoff. When no member of a pool is left,
 * the next pool is tried. A pool of one route therefore behaves as a single route: its retries, then the next tier.
 * Back-pressure (a full engine queue) and any failure of the local engine go straight on without counting against the
 * breaker. A non-retryable failure (bad request, context overflow, a bug) or an abort propagates at once. When every
 * route failed, the last failure is thrown; when every route was skipped, a CircuitOpenError with the time until one
 * reopens.
 *
 * A resolved attempt counts as a success unless `attempt` reports the outcome itself (`reportsOutcome`: a stream
 * counts only once it finishes); until then it counts as a request in flight on its engine.
 */
export async function runWithFailover<MODEL, RESULT>(
  routes: readonly Route<MODEL>[],
  attempt: (route: Route<MODEL>, call: RouteCall) => Promise<RESULT>,
  options: FailoverOptions & { reportsOutcome?: boolean },
): Promise<RESULT> {
  const { balancer } = options;
  let lastError: unknown;
  for (const pool of poolsOf(routes, balancer)) {
    let members: Member<MODEL>[] = pool.map((route) => ({ route, retries: 0, readyAt: 0 }));
    const drop = (member: Member<MODEL>): void => {
      members = members.filter((candidate) => candidate !== member);
    };
    // The call's clock: the sum of the waits so far (time spent in attempts only makes members readier).
    let clock = 0;
    while (members.length > 0) {
      const due = members.filter((member) => member.readyAt <= clock);
      while (due.length > 0) {
        const route = balancer.choose(due.map((member) => member.route))!;
        const member = due.splice(due.findIndex((candidate) => candidate.route === route), 1)[0]!;
        const breaker = options.breakerFor(route.key);
        const permit = breaker.tryAcquire();
        if (!permit) {
          drop(member);
          continue;
        }
        const call = routeCall(breaker, permit, balancer.begin(route));
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
            drop(member);
            continue;
          }
          const retryAfterMs = retryAfterMsOf(error);
          call.failed(retryAfterMs);
          const tooLong = retryAfterMs !== undefined && retryAfterMs > options.retry.maxRetryAfterMs;
          if (member.retries >= options.retry.maxRetries || breaker.state !== "closed" || tooLong) {
            drop(member);
            continue;
          }
          // Just past the pause the failure set on the breaker, so the retry is let through.
          member.readyAt = clock + (retryAfterMs !== undefined ? retryAfterMs + 1 : retryDelay(options.retry, member.retries));
          member.retries += 1;
        }
      }
      if (members.length === 0) break;
      const next = Math.min(...members.map((member) => member.readyAt));
      await options.delay(next - clock, options.abortSignal);
      clock = next;
    }
  }
  if (lastError !== undefined) throw lastError;
  const waitMs = Math.min(...routes.map((route) => options.breakerFor(route.key).waitMs()));
  throw new CircuitOpenError({
    message: `every route of model '${options.modelName}' is paused after repeated failures or at the upstream's request; retry later`,
    retryAfterSeconds: Number.isFinite(waitMs) ? waitMs / 1000 : 1,
  });
}
