import type { Database } from "../../store/index.js";
import { createMemoryLimitStore } from "./memory-limit-store.js";
import { defaultSlotLeaseMs, type RateLimiter } from "./rate-limiter.js";
import { openRedisLimitStore, type RedisLimitStoreOptions } from "./redis-limit-store.js";
import { createSqlLimitStore } from "./sql-limit-store.js";
import { createStoreRateLimiter, type StoreRateLimiterOptions } from "./store-rate-limiter.js";

/** A RateLimiter for one process: counts in memory (embedded, one instance). */
export function createInMemoryRateLimiter(options: StoreRateLimiterOptions = {}): RateLimiter {
  return createStoreRateLimiter(createMemoryLimitStore(), options);
}

/** A RateLimiter shared by every instance on `database` (its own tables; PostgreSQL, or SQLite for one machine). */
export function createSqlRateLimiter(database: Database, options: StoreRateLimiterOptions = {}): RateLimiter {
  return createStoreRateLimiter(createSqlLimitStore(database), options);
}

/** A RateLimiter shared by every instance on one Redis. Resolves once the first connection attempt ended (either way). */
export async function openRedisRateLimiter(redis: RedisLimitStoreOptions, options: StoreRateLimiterOptions = {}): Promise<RateLimiter> {
  // Redis keeps a slot set twice as long as a slot's lease after its last change.
  const slotSetTtlMs = 2 * (options.leaseMs ?? defaultSlotLeaseMs);
  return createStoreRateLimiter(await openRedisLimitStore({ slotSetTtlMs, ...redis }), options);
}

/** Where the counts of the chosen rate limiter live. */
export type RateLimitStoreKind = "redis" | "postgres" | "memory";

export type OpenRateLimiterOptions = StoreRateLimiterOptions & {
  database: Database;
  /** AIPLUS_REDIS_URL. */
  redisUrl?: string | undefined;
  /** Prefix of the rate limiter's Redis keys. Defaults to `aiplus:limits:`. */
  redisKeyPrefix?: string | undefined;
  /** Redis connection lost or back (see `RedisLimitStoreOptions.onConnectionChange`). */
  onRedisConnectionChange?: RedisLimitStoreOptions["onConnectionChange"];
};

/**
 * The rate limiter of a server: on Redis when `redisUrl` is set, else on the database when it is PostgreSQL (so that
 * every instance on it shares the counts), else in memory (embedded SQLite: one instance).
 */
export async function openRateLimiter(options: OpenRateLimiterOptions): Promise<{ limiter: RateLimiter; store: RateLimitStoreKind }> {
  if (options.redisUrl !== undefined) {
    return { limiter: await openRedisRateLimiter({ url: options.redisUrl, keyPrefix: options.redisKeyPrefix, onConnectionChange: options.onRedisConnectionChange }, options), store: "redis" };
  }
  if (options.database.dialect === "postgres") return { limiter: createSqlRateLimiter(options.database, options), store: "postgres" };
  return { limiter: createInMemoryRateLimiter(options), store: "memory" };
}
