/** Settings of a route's circuit breaker. */
export type CircuitBreakerPolicy = {
  /** Consecutive failures that open the circuit. Defaults to 5. */
  failureThreshold: number;
  /** How long an open circuit rejects calls before one trial call is let through. Defaults to 30000 ms. */
  cooldownMs: number;
};

export const defaultCircuitBreakerPolicy: CircuitBreakerPolicy = { failureThreshold: 5, cooldownMs: 30_000 };

export type CircuitState = "closed" | "open" | "half-open";

/**
 * Per-route breaker: `failureThreshold` consecutive failures open it for `cooldownMs`; then it is
 * half-open and lets exactly one trial call through, which closes it on success or reopens it on failure.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly policy: CircuitBreakerPolicy,
    private readonly now: () => number,
  ) {}

  get state(): CircuitState {
    if (this.openedAt === undefined) return "closed";
    return this.now() - this.openedAt >= this.policy.cooldownMs ? "half-open" : "open";
  }

  /** Whether a call may go to the route now; in half-open state this claims the single trial call. */
  tryAcquire(): boolean {
    switch (this.state) {
      case "closed":
        return true;
      case "open":
        return false;
      case "half-open":
        if (this.trialInFlight) return false;
        this.trialInFlight = true;
        return true;
      default:
        return this.state satisfies never;
    }
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
  }

  recordFailure(): void {
    this.consecutiveFailures += 1;
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    if (wasTrial || this.state !== "closed" || this.consecutiveFailures >= this.policy.failureThreshold) this.openedAt = this.now();
  }

  /** Ends a call that says nothing about the route's health (aborted by the caller, rejected as invalid). */
  release(): void {
    this.trialInFlight = false;
  }
}
