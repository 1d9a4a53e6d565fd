import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { defaultSlotLeaseMs, type KeyPrincipal, type RateLimiter } from "../../src/maas/index.js";
import { RateLimitError } from "../../src/spec/index.js";
import type { ApiKeyId } from "../../src/spec/index.js";

/**
 * What a contract test runs on: `limiter`, fresh or shared with earlier tests (every test uses key ids of its own),
 * and for a store shared by several processes, `peer`: another limiter on the same store, as a second instance
 * would hold it (its own connection).
 */
export type RateLimiterSubject = { limiter: RateLimiter; peer?: RateLimiter | undefined };

export type RateLimiterContractTarget = {
  /** The subject of one test. */
  open(): Promise<RateLimiterSubject> | RateLimiterSubject;
  /** Ends a subject. Defaults to disposing its limiters. */
  close?(subject: RateLimiterSubject): Promise<void>;
  /** Whether the store is shared by several processes: `open` gives a `peer`, and the cross-instance tests run. */
  shared: boolean;
};

async function rateLimitErrorOf(run: () => Promise<unknown>): Promise<RateLimitError> {
  const error = await run().then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(RateLimitError);
  return error as RateLimitError;
}

/** Runs every promise; how many fulfilled, and every rejection (each must be a RateLimitError). */
async function admitted(runs: Promise<unknown>[]): Promise<number> {
  const results = await Promise.allSettled(runs);
  for (const result of results) if (result.status === "rejected") expect(result.reason).toBeInstanceOf(RateLimitError);
  return results.filter((result) => result.status === "fulfilled").length;
}

/**
 * The behaviour every RateLimiter (in memory, PostgreSQL, SQLite, Redis) must have; for a shared store, also across
 * instances (a second limiter on the same store).
 */
export function runRateLimiterContract(name: string, target: RateLimiterContractTarget): void {
  const open = async (): Promise<RateLimiterSubject> => {
    const subject = await target.open();
    if (target.shared && !subject.peer) throw new Error(`${name}: a shared store's subject needs a peer`);
    return subject;
  };
  const close = async (subject: RateLimiterSubject): Promise<void> => {
    if (target.close) return target.close(subject);
    await subject.limiter.dispose();
    await subject.peer?.dispose();
  };
  describe(`RateLimiter contract: ${name}`, () => {
    const start = 1_000_000;

    /** A principal whose id no other test (or earlier run on a shared store) uses. */
    function principal(overrides: Partial<KeyPrincipal> = {}): KeyPrincipal {
      return {
        id: `key-${randomBytes(6).toString("hex")}` as ApiKeyId,
        name: "a",
        prefix: "aip_aaaaaaaa",
        isAdmin: false,
        allowCodeExecution: false,
        models: undefined,
        rpm: undefined,
        tpm: undefined,
        budgetNanos: undefined,
        ...overrides,
      };
    }

    async function withSubject(run: (subject: RateLimiterSubject) => Promise<void>): Promise<void> {
      const subject = await open();
      try {
        await run(subject);
      } finally {
        await close(subject);
      }
    }

    it("allows rpm requests per sliding minute, then 429 with retry-after until the oldest leaves the window", () =>
      withSubject(async ({ limiter }) => {
        const key = principal({ rpm: 3 });
        await limiter.checkRequest(key, start);
        await limiter.checkRequest(key, start + 10_000);
        await limiter.checkRequest(key, start + 20_000);
        const error = await rateLimitErrorOf(() => limiter.checkRequest(key, start + 30_000));
        expect(error.limit).toBe("requests-per-minute");
        expect(error.code).toBe("rate_limit_exceeded");
        expect(error.retryAfterSeconds).toBe(30);
        expect(error.headers()).toEqual({ "retry-after": "30" });
        expect(error.message).toMatch(/limit 3, used 3/);
        // A refused request is not counted: the window frees exactly when the first request is 60 s old.
        await rateLimitErrorOf(() => limiter.checkRequest(key, start + 59_999));
        await limiter.checkRequest(key, start + 60_000);
        const next = await rateLimitErrorOf(() => limiter.checkRequest(key, start + 60_001));
        expect(next.retryAfterSeconds).toBe(10);
      }));

    it("keeps keys apart and does not limit keys without limits", () =>
      withSubject(async ({ limiter }) => {
        const limited = principal({ rpm: 1 });
        const other = principal({ rpm: 1 });
        const unlimited = principal();
        await limiter.checkRequest(limited, start);
        await limiter.checkRequest(other, start);
        await rateLimitErrorOf(() => limiter.checkRequest(limited, start + 1));
        for (let index = 0; index < 1000; index++) await limiter.checkRequest(unlimited, start);
        await limiter.checkTokens(unlimited, 1e9, start);
        await limiter.recordTokens(unlimited, 1e9, start);
        const slots = await Promise.all(Array.from({ length: 100 }, () => limiter.acquireSlot(unlimited, start)));
        await Promise.all(slots.map((slot) => slot.release()));
      }));

    it("checks estimated tokens against tpm over recorded tokens, with retry-after until enough tokens free", () =>
      withSubject(async ({ limiter }) => {
        const key = principal({ tpm: 1000 });
        await limiter.checkTokens(key, 1000, start);
        await limiter.recordTokens(key, 400, start);
        await limiter.recordTokens(key, 300, start + 20_000);
        await limiter.checkTokens(key, 300, start + 30_000);
        const error = await rateLimitErrorOf(() => limiter.checkTokens(key, 301, start + 30_000));
        expect(error.limit).toBe("tokens-per-minute");
        expect(error.message).toMatch(/limit 1000, used 700, requested 301/);
        expect(error.retryAfterSeconds).toBe(30); // the 400 from `start` leave at start + 60 s
        const needsBoth = await rateLimitErrorOf(() => limiter.checkTokens(key, 800, start + 30_000));
        expect(needsBoth.retryAfterSeconds).toBe(50); // both entries must leave
        await limiter.checkTokens(key, 700, start + 60_000);
        await limiter.checkTokens(key, 1000, start + 80_000);
      }));

    it("refuses a request larger than the whole tpm limit", () =>
      withSubject(async ({ limiter }) => {
        const error = await rateLimitErrorOf(() => limiter.checkTokens(principal({ tpm: 100 }), 101, start));
        expect(error.limit).toBe("tokens-per-minute");
        expect(error.message).toMatch(/limit 100, requested 101/);
        expect(error.retryAfterSeconds).toBe(60);
      }));

    it("caps concurrent requests: a slot frees when released (once, however often release is called)", () =>
      withSubject(async ({ limiter }) => {
        const key = principal({ maxConcurrentRequests: 2 });
        const first = await limiter.acquireSlot(key, start);
        const second = await limiter.acquireSlot(key, start);
        const error = await rateLimitErrorOf(() => limiter.acquireSlot(key, start));
        expect(error.limit).toBe("concurrent-requests");
        expect(error.code).toBe("concurrency_limit_exceeded");
        expect(error.statusCode).toBe(429);
        expect(error.message).toMatch(/limit 2 concurrent requests, 2 running/);
        expect(error.headers()).toEqual({ "retry-after": "1" });
        await first.release();
        await first.release();
        const third = await limiter.acquireSlot(key, start);
        await rateLimitErrorOf(() => limiter.acquireSlot(key, start));
        await second.release();
        await third.release();
        const again = await Promise.all([limiter.acquireSlot(key, start), limiter.acquireSlot(key, start)]);
        await Promise.all(again.map((slot) => slot.release()));
      }));

    it("never admits more than the limit when requests race (rpm and concurrent slots)", () =>
      withSubject(async ({ limiter, peer }) => {
        const instances = [limiter, peer ?? limiter];
        const perMinute = principal({ rpm: 10 });
        expect(await admitted(Array.from({ length: 40 }, (_, index) => instances[index % 2]!.checkRequest(perMinute, start)))).toBe(10);
        const capped = principal({ maxConcurrentRequests: 5 });
        const slots = await Promise.allSettled(Array.from({ length: 30 }, (_, index) => instances[index % 2]!.acquireSlot(capped, start)));
        const taken = slots.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
        expect(taken).toHaveLength(5);
        for (const result of slots) if (result.status === "rejected") expect(result.reason).toBeInstanceOf(RateLimitError);
        await Promise.all(taken.map((slot) => slot.release()));
      }));

    if (!target.shared) return;

    it("shares requests per minute and recorded tokens with other instances", () =>
      withSubject(async ({ limiter, peer: other }) => {
        if (!other) throw new Error("a shared store's subject has a peer");
        const peer = other;
        const key = principal({ rpm: 3, tpm: 1000 });
        await limiter.checkRequest(key, start);
        await peer.checkRequest(key, start + 10_000);
        await limiter.checkRequest(key, start + 20_000);
        const onPeer = await rateLimitErrorOf(() => peer.checkRequest(key, start + 30_000));
        expect(onPeer.retryAfterSeconds).toBe(30);
        await rateLimitErrorOf(() => limiter.checkRequest(key, start + 30_000));
        await peer.checkRequest(key, start + 60_000);

        await limiter.recordTokens(key, 600, start);
        await peer.recordTokens(key, 300, start + 10_000);
        await limiter.checkTokens(key, 100, start + 10_000);
        const tokens = await rateLimitErrorOf(() => peer.checkTokens(key, 101, start + 10_000));
        expect(tokens.message).toMatch(/used 900/);
        expect(tokens.retryAfterSeconds).toBe(50);
      }));

    it("shares concurrent slots with other instances; a slot its instance stops renewing (it died) lapses", () =>
      withSubject(async ({ limiter, peer: other }) => {
        if (!other) throw new Error("a shared store's subject has a peer");
        const peer = other;
        const key = principal({ maxConcurrentRequests: 2 });
        await limiter.acquireSlot(key, start);
        await limiter.acquireSlot(key, start);
        await rateLimitErrorOf(() => peer.acquireSlot(key, start + 1));
        // Renewed while its instance runs…
        await limiter.renewSlots(start + defaultSlotLeaseMs - 1);
        await rateLimitErrorOf(() => peer.acquireSlot(key, start + defaultSlotLeaseMs + 1));
        // …and lapsed one lease after the last renewal.
        const freed = await peer.acquireSlot(key, start + 2 * defaultSlotLeaseMs);
        const alsoFreed = await peer.acquireSlot(key, start + 2 * defaultSlotLeaseMs);
        await rateLimitErrorOf(() => limiter.acquireSlot(key, start + 2 * defaultSlotLeaseMs));
        await freed.release();
        await alsoFreed.release();
      }));
  });
}
