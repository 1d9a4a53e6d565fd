import { describe, expect, it } from "vitest";
import type { KeyPrincipal, RateLimiter } from "../../src/maas/index.js";
import { RateLimitError } from "../../src/spec/index.js";
import type { ApiKeyId } from "../../src/spec/index.js";

function principal(overrides: Partial<KeyPrincipal> = {}): KeyPrincipal {
  return { id: "key-a" as ApiKeyId, name: "a", prefix: "aip_aaaaaaaa", isAdmin: false, allowCodeExecution: false, models: undefined, rpm: undefined, tpm: undefined, budgetNanos: undefined, ...overrides };
}

async function rateLimitErrorOf(run: () => Promise<void>): Promise<RateLimitError> {
  const error = await run().then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(RateLimitError);
  return error as RateLimitError;
}

/** The behaviour every RateLimiter (in-memory, Redis, …) must have. `factory` returns a fresh, empty limiter. */
export function runRateLimiterContract(name: string, factory: () => Promise<RateLimiter> | RateLimiter): void {
  describe(`RateLimiter contract: ${name}`, () => {
    const start = 1_000_000;

    it("allows rpm requests per sliding minute, then 429 with retry-after until the oldest leaves the window", async () => {
      const limiter = await factory();
      const key = principal({ rpm: 3 });
      await limiter.checkRequest(key, start);
      await limiter.checkRequest(key, start + 10_000);
      await limiter.checkRequest(key, start + 20_000);
      const error = await rateLimitErrorOf(() => limiter.checkRequest(key, start + 30_000));
      expect(error.limit).toBe("requests-per-minute");
      expect(error.retryAfterSeconds).toBe(30);
      expect(error.headers()).toEqual({ "retry-after": "30" });
      // A refused request is not counted: the window frees exactly when the first request is 60 s old.
      await rateLimitErrorOf(() => limiter.checkRequest(key, start + 59_999));
      await limiter.checkRequest(key, start + 60_000);
      const next = await rateLimitErrorOf(() => limiter.checkRequest(key, start + 60_001));
      expect(next.retryAfterSeconds).toBe(10);
    });

    it("keeps keys apart and does not limit keys without limits", async () => {
      const limiter = await factory();
      const limited = principal({ rpm: 1 });
      const other = principal({ id: "key-b" as ApiKeyId, rpm: 1 });
      const unlimited = principal({ id: "key-c" as ApiKeyId });
      await limiter.checkRequest(limited, start);
      await limiter.checkRequest(other, start);
      await rateLimitErrorOf(() => limiter.checkRequest(limited, start + 1));
      for (let index = 0; index < 1000; index++) await limiter.checkRequest(unlimited, start);
      await limiter.checkTokens(unlimited, 1e9, start);
      await limiter.recordTokens(unlimited, 1e9, start);
    });

    it("checks estimated tokens against tpm over recorded tokens, with retry-after until enough tokens free", async () => {
      const limiter = await factory();
      const key = principal({ tpm: 1000 });
      await limiter.checkTokens(key, 1000, start);
      await limiter.recordTokens(key, 400, start);
      await limiter.recordTokens(key, 300, start + 20_000);
      await limiter.checkTokens(key, 300, start + 30_000);
      const error = await rateLimitErrorOf(() => limiter.checkTokens(key, 301, start + 30_000));
      expect(error.limit).toBe("tokens-per-minute");
      expect(error.retryAfterSeconds).toBe(30); // the 400 from `start` leave at start + 60 s
      const needsBoth = await rateLimitErrorOf(() => limiter.checkTokens(key, 800, start + 30_000));
      expect(needsBoth.retryAfterSeconds).toBe(50); // both entries must leave
      await limiter.checkTokens(key, 700, start + 60_000);
      await limiter.checkTokens(key, 1000, start + 80_000);
    });

    it("refuses a request larger than the whole tpm limit", async () => {
      const limiter = await factory();
      const error = await rateLimitErrorOf(() => limiter.checkTokens(principal({ tpm: 100 }), 101, start));
      expect(error.limit).toBe("tokens-per-minute");
      expect(error.message).toMatch(/limit 100, requested 101/);
      expect(error.retryAfterSeconds).toBe(60);
    });
  });
}
