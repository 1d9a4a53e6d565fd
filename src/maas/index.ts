export type { KeyPrincipal, MeteredRequest, ReservationRequest, SettleOutcome } from "./types.js";
export { createMaas, type Maas, type MaasOptions } from "./create-maas.js";
export { apiKeyPrefix, generateApiKey, hashApiKey } from "./api-key-secret.js";
export { loadKeySecret } from "./load-key-secret.js";
export { createKeyManager, type CreateKeyInput, type KeyManager, type KeyManagerOptions, type KeyPageQuery, type UpdateKeyInput } from "./key-manager.js";
export { createAuthenticator, toPrincipal } from "./authenticator.js";
export { type ConsoleSession, type ConsoleSessions, type ConsoleSessionsOptions, createConsoleSessions } from "./console-sessions.js";
export { assertModelAllowed, isModelAllowed } from "./assert-model-allowed.js";
export {
  type ConcurrencySlot,
  createInMemoryRateLimiter,
  createSqlRateLimiter,
  defaultSlotLeaseMs,
  openRateLimiter,
  type OpenRateLimiterOptions,
  openRedisRateLimiter,
  type RateLimiter,
  type RateLimitStoreKind,
  rateLimitWindowMs,
  redactedUrl,
  type RedisLimitStoreOptions,
  type StoreRateLimiterOptions,
} from "./rate-limits/index.js";
export { createPriceBook, type ModelPrice, type PriceBook } from "./price-book.js";
export { computeCostNanos, type TokenPrice } from "./cost.js";
export { failedAttemptUsage } from "./failed-attempt-usage.js";
export { dollarsToMicros, dollarsToNanos, microsToDollars, nanosToDollars } from "./money.js";
export { currentPeriodStart, periodEnd, utcDay } from "./budget-period.js";
export { createMeteredLedger, type MeteredLedgerOptions, type OpenMeteredRequest, type OpenMeteredRequestInput } from "./metered-ledger.js";
export { createOperatorLedger, type OperatorLedgerOptions, type OperatorRequest, type OperatorRequestInput } from "./operator-ledger.js";
export { registerInstance, type RegisteredInstance, type RegisterInstanceOptions } from "./instance-registry.js";
export { recoverInterruptedRequests, type RecoverInterruptedRequestsOptions, type RecoveryResult } from "./recover-interrupted-requests.js";
export { createUsageReports, type NamedUsageRecord, type TimeBound, type UsageQuery, type UsageReportRow, type UsageReports } from "./usage-reports.js";
export { dayOffsetSegments, type LocalDate, localDate, zonedMidnight, zoneOffsetAt } from "./time-zone.js";
