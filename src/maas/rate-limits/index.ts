export { type ConcurrencySlot, defaultSlotLeaseMs, type RateLimiter, rateLimitWindowMs } from "./rate-limiter.js";
export { type StoreRateLimiterOptions } from "./store-rate-limiter.js";
export { type RedisLimitStoreOptions, redactedUrl } from "./redis-limit-store.js";
export {
  createInMemoryRateLimiter,
  createSqlRateLimiter,
  openRateLimiter,
  type OpenRateLimiterOptions,
  openRedisRateLimiter,
  type RateLimitStoreKind,
} from "./create-rate-limiter.js";
