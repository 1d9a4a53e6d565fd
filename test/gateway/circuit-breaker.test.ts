import { describe, expect, it } from "vitest";
import { CircuitBreaker, type BreakerPermit } from "../../src/gateway/circuit-breaker.js";
import { parseRetryAfter } from "../../src/gateway/openai-compatible/parse-retry-after.js";

function acquire(breaker: CircuitBreaker): BreakerPermit {
  const permit = breaker.tryAcquire();
  expect(permit).toBeDefined();
  return permit!;
}

describe("circuit breaker", () => {
  it("opens after the threshold of consecutive failures and lets one trial through after the cooldown", () => {
    const clock = { now: 0 };
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 100 }, () => clock.now);
    breaker.recordFailure(acquire(breaker));
    breaker.recordFailure(acquire(breaker));
    breaker.recordSuccess(acquire(breaker)); // resets the count: failures must be consecutive
    breaker.recordFailure(acquire(breaker));
    breaker.recordFailure(acquire(breaker));
    expect(breaker.state).toBe("closed");
    breaker.recordFailure(acquire(breaker));
    expect(breaker.state).toBe("open");
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.waitMs()).toBe(100);
    clock.now = 100;
    expect(breaker.state).toBe("half-open");
    const trial = acquire(breaker);
    expect(trial.trial).toBe(true);
    expect(breaker.tryAcquire()).toBeUndefined(); // only one trial at a time
    breaker.release(trial); // an aborted trial says nothing about health
    breaker.recordFailure(acquire(breaker));
    expect(breaker.state).toBe("open");
    clock.now = 200;
    breaker.recordSuccess(acquire(breaker));
    expect(breaker.state).toBe("closed");
    expect(breaker.tryAcquire()).toEqual({ trial: false });
    expect(breaker.tryAcquire()).toEqual({ trial: false });
  });

  it("a call that started before the circuit opened does not free the half-open trial slot", () => {
    const clock = { now: 0 };
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100 }, () => clock.now);
    const early = acquire(breaker);
    breaker.recordFailure(acquire(breaker));
    clock.now = 100;
    acquire(breaker); // the trial, still running
    breaker.release(early);
    expect(breaker.tryAcquire()).toBeUndefined();
  });

  it("pauses the route for an upstream's Retry-After, and keeps an open circuit open at least that long", () => {
    const clock = { now: 0 };
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000 }, () => clock.now);
    breaker.recordFailure(acquire(breaker), 3000);
    expect(breaker.state).toBe("closed"); // below the threshold, only paused
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.waitMs()).toBe(3000);
    clock.now = 3000;
    breaker.recordFailure(acquire(breaker), 5000);
    expect(breaker.state).toBe("open");
    clock.now = 3000 + 1000; // the cooldown alone is over, the upstream's pause is not
    expect(breaker.tryAcquire()).toBeUndefined();
    clock.now = 3000 + 5000;
    expect(acquire(breaker).trial).toBe(true);
  });
});

describe("Retry-After", () => {
  it("reads delay-seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
