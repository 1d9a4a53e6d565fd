import type { Route } from "./route.js";

/**
 * Spreads calls over a pool's members: the member whose engine has the fewest requests in flight (in this process)
 * goes first; among equals, the one picked longest ago (round-robin; one never picked goes by its order in the pool).
 * A member whose engine failed its active health check is set aside (see {@link isDown}).
 */
export class RouteBalancer {
  private readonly inFlight = new Map<string, number>();
  private readonly pickedAt = new Map<string, number>();
  private picks = 0;

  constructor(private readonly healthCheck: { isDown(upstream: string): boolean } = { isDown: () => false }) {}

  /** Requests in flight on an engine: calls begun and not yet ended (a stream counts until it ends). */
  outstanding(upstream: string): number {
    return this.inFlight.get(upstream) ?? 0;
  }

  /** Whether the engine's latest active health check failed (then its routes are only a last resort). */
  isDown(upstream: string): boolean {
    return this.healthCheck.isDown(upstream);
  }

  /** The best of `candidates` (see the class), marked as picked now; undefined when there is none. */
  choose<MODEL>(candidates: readonly Route<MODEL>[]): Route<MODEL> | undefined {
    let best: Route<MODEL> | undefined;
    for (const candidate of candidates) {
      if (best === undefined || this.before(candidate, best)) best = candidate;
    }
    if (best !== undefined) this.pickedAt.set(best.key, ++this.picks);
    return best;
  }

  /** Counts a call in flight on the route's engine; the returned function ends it (only its first call counts). */
  begin(route: Route<unknown>): () => void {
    this.inFlight.set(route.upstream, this.outstanding(route.upstream) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const remaining = this.outstanding(route.upstream) - 1;
      if (remaining > 0) this.inFlight.set(route.upstream, remaining);
      else this.inFlight.delete(route.upstream);
    };
  }

  private before(candidate: Route<unknown>, best: Route<unknown>): boolean {
    const load = this.outstanding(candidate.upstream) - this.outstanding(best.upstream);
    if (load !== 0) return load < 0;
    return (this.pickedAt.get(candidate.key) ?? 0) < (this.pickedAt.get(best.key) ?? 0);
  }
}
