import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/gateway/circuit-breaker.js";

describe("circuit breaker", () => {
  it("opens after the threshold of consecutive failures and lets one trial through after the cooldown", () => {
    const clock = { now: 0 };
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 100 }, () => clock.now);
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess(); // resets the count: failures must be consecutive
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe("closed");
    breaker.recordFailure();
    expect(breaker.state).toBe("open");
    expect(breaker.tryAcquire()).toBe(false);
    clock.now = 100;
    expect(breaker.state).toBe("half-open");
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false); // only one trial at a time
    breaker.release(); // an aborted trial says nothing about health
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe("open");
    clock.now = 200;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordSuccess();
    expect(breaker.state).toBe("closed");
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(true);
  });
});
