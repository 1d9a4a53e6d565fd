/** Settings of a route's circuit breaker. */
export type CircuitBreakerPolicy = {
  /** Consecutive failures that open the circuit. Defaults to 5. */
  failureThreshold: number;
  /** How long an open circuit rejects calls before one trial call is let through. Defaults to 30000 ms. */
  cooldownMs: number;
};

export const defaultCircuitBreakerPolicy: CircuitBreakerPolicy = { failureThreshold: 5, cooldownMs: 30_000 };

export type CircuitState = "closed" | "open" | "half-open";

/** What a breaker shows of itself (for the admin API): its state, until when it stays open or paused, its failure streak. */
export type CircuitSnapshot = {
  state: CircuitState;
  /** Epoch ms until which the circuit stays open (undefined when closed; in the past when half-open). */
  openUntil: number | undefined;
  /** Epoch ms until which a `Retry-After` pauses the route (undefined when not paused). */
  pausedUntil: number | undefined;
  consecutiveFailures: number;
};

/** One call the breaker let through; report its outcome with it. */
export type BreakerPermit = {
  /** The single trial call of a half-open circuit. */
  readonly trial: boolean;
};

/**
 * Per-route breaker: `failureThreshold` consecutive failures open it for `cooldownMs` (or longer, when the route
 * asked for a longer pause with `Retry-After`); then it is half-open and lets exactly one trial call through,
 * which closes it on success or reopens it on failure. A failure that carries a `Retry-After` also pauses the
 * route until then, even below the threshold.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  /** When the circuit opened, and until when it stays open. */
  private open: { until: number } | undefined;
  private pausedUntil = 0;
  private trialInFlight = false;

  constructor(
    private readonly policy: CircuitBreakerPolicy,
    private readonly now: () => number,
  ) {}

  /** The breaker's state; a route paused by `Retry-After` below the threshold reads "closed" (see {@link waitMs}). */
  get state(): CircuitState {
    if (this.open === undefined) return "closed";
    return this.now() >= this.open.until ? "half-open" : "open";
  }

  snapshot(): CircuitSnapshot {
    return {
      state: this.state,
      openUntil: this.open?.until,
      pausedUntil: this.pausedUntil > this.now() ? this.pausedUntil : undefined,
      consecutiveFailures: this.consecutiveFailures,
    };
  }

  /** Milliseconds until a call may be let through (0: now). */
  waitMs(): number {
    const now = this.now();
    const openUntil = this.open === undefined ? 0 : this.open.until;
    return Math.max(0, openUntil - now, this.pausedUntil - now);
  }

  /** Lets a call through now, or not; in half-open state this claims the single trial call. */
  tryAcquire(): BreakerPermit | undefined {
    if (this.now() < this.pausedUntil) return undefined;
    switch (this.state) {
      case "closed":
        return { trial: false };
      case "open":
        return undefined;
      case "half-open":
        if (this.trialInFlight) return undefined;
        this.trialInFlight = true;
        return { trial: true };
      default:
        return this.state satisfies never;
    }
  }

  recordSuccess(permit: BreakerPermit): void {
    if (permit.trial) this.trialInFlight = false;
    this.consecutiveFailures = 0;
    this.open = undefined;
  }

  /** Counts a failure; `retryAfterMs` (the route's `Retry-After`) pauses the route at least that long. */
  recordFailure(permit: BreakerPermit, retryAfterMs?: number | undefined): void {
    const now = this.now();
    if (permit.trial) this.trialInFlight = false;
    this.consecutiveFailures += 1;
    if (retryAfterMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    if (permit.trial || this.open !== undefined || this.consecutiveFailures >= this.policy.failureThreshold) {
      this.open = { until: now + Math.max(this.policy.cooldownMs, retryAfterMs ?? 0) };
    }
  }

  /** Ends a call that says nothing about the route's health (aborted, rejected as invalid, back-pressure). */
  release(permit: BreakerPermit): void {
    if (permit.trial) this.trialInFlight = false;
  }
}
