import { randomBytes } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeyPrincipal, openRedisRateLimiter } from "../../src/maas/index.js";
import { type ApiKeyId, RateLimitError, ServiceUnavailableError } from "../../src/spec/index.js";
import { startTestRedis, startThrowawayRedis, type TestRedis } from "../support/redis-server.js";
import { runRateLimiterContract } from "./rate-limiter-contract.js";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

// `limiter` and `peer` have their own connections to one Redis, as two instances would; each subject its own key prefix.
runRateLimiterContract("Redis", {
  async open() {
    const keyPrefix = `aiplus-test:${randomBytes(6).toString("hex")}:`;
    return { limiter: await openRedisRateLimiter({ url: redis.url, keyPrefix }), peer: await openRedisRateLimiter({ url: redis.url, keyPrefix }) };
  },
  shared: true,
});

function limitedKey(overrides: Partial<KeyPrincipal> = {}): KeyPrincipal {
  return {
    id: `key-${randomBytes(6).toString("hex")}` as ApiKeyId,
    name: "limited",
    prefix: "aip_limited0",
    isAdmin: false,
    allowCodeExecution: false,
    models: undefined,
    rpm: 5,
    tpm: 1000,
    maxConcurrentRequests: 2,
    budgetNanos: undefined,
    ...overrides,
  };
}

async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => undefined,
    (error: unknown) => error,
  );
}

function expectUnavailable(error: unknown, url: string): void {
  expect(error).toBeInstanceOf(ServiceUnavailableError);
  const unavailable = error as ServiceUnavailableError;
  expect(unavailable.statusCode).toBe(503);
  expect(unavailable.code).toBe("rate_limiter_unavailable");
  expect(unavailable.headers()).toEqual({ "retry-after": "5" });
  expect(unavailable.message).toContain(`Redis at ${url} is unreachable`);
  expect(unavailable.message).toContain("refused rather than served without its key's limits");
}

describe("Redis rate limiter when Redis is unreachable", () => {
  it("fails closed: every limit of a limited key is a 503 rate_limiter_unavailable; a key without limits is served", async () => {
    // A port nothing listens on.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const address = server.address() as net.AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
    const url = `redis://127.0.0.1:${port}`;
    const states: string[] = [];
    const limiter = await openRedisRateLimiter({ url, onConnectionChange: (state) => states.push(state) });
    try {
      expect(states).toEqual(["unreachable"]);
      const key = limitedKey();
      expectUnavailable(await errorOf(() => limiter.checkRequest(key)), url);
      expectUnavailable(await errorOf(() => limiter.checkTokens(key, 10)), url);
      expectUnavailable(await errorOf(() => limiter.recordTokens(key, 10)), url);
      expectUnavailable(await errorOf(() => limiter.acquireSlot(key)), url);
      // Local refusals need no store: a request above the whole tpm is still a 429.
      expect(await errorOf(() => limiter.checkTokens(key, 1001))).toBeInstanceOf(RateLimitError);
      const unlimited = limitedKey({ rpm: undefined, tpm: undefined, maxConcurrentRequests: undefined });
      await limiter.checkRequest(unlimited);
      await limiter.checkTokens(unlimited, 10);
      await (await limiter.acquireSlot(unlimited)).release();
    } finally {
      await limiter.dispose();
    }
  });

  it("answers 503 while Redis is down and counts again once it is back", async () => {
    const throwaway = await startThrowawayRedis();
    const states: string[] = [];
    const limiter = await openRedisRateLimiter({ url: throwaway.url, onConnectionChange: (state) => states.push(state) });
    try {
      const key = limitedKey({ rpm: 3 });
      await limiter.checkRequest(key);
      const slot = await limiter.acquireSlot(key);
      await throwaway.kill();
      expectUnavailable(await errorOf(() => limiter.checkRequest(key)), throwaway.url);
      // Freeing a slot while Redis is down does not throw (the slot lapses with its lease).
      await slot.release();
      await throwaway.start();
      // The client reconnects in the background (it retries every 100 ms at first).
      while (states.at(-1) !== "ready") await new Promise((resolve) => setTimeout(resolve, 50));
      expect(states).toEqual(["ready", "unreachable", "ready"]);
      // A fresh redis-server (no persistence) lost the counts: the window starts empty.
      await limiter.checkRequest(key);
      await limiter.checkRequest(key);
      await limiter.checkRequest(key);
      expect(await errorOf(() => limiter.checkRequest(key))).toBeInstanceOf(RateLimitError);
    } finally {
      await limiter.dispose();
      await throwaway.stop();
    }
  });
});
