export { affectedRows, type DatabaseExecutor, isUniqueViolation } from "./database-executor.js";
export { arenaBattleImportKey, type ImportedBattleContent, importedBattleContent, occurrenceCounter } from "./arena-battle-import-key.js";
export { type AddModelInput, createModelRepository, type ModelRepository, type ModelRepositoryOptions, type RegisteredModelEntry } from "./model-repository.js";
export {
  type AddProviderInput,
  type UpdateProviderInput,
  createProviderRepository,
  type ProviderRepository,
  type ProviderRepositoryOptions,
} from "./provider-repository.js";
export {
  type ApiKeyLimitsPatch,
  type ApiKeyListQuery,
  type ApiKeyRepository,
  type ApiKeySort,
  type ApiKeyState,
  createApiKeyRepository,
  type NewApiKey,
  toApiKeyRecord,
} from "./api-key-repository.js";
export { createPriceRepository, type PriceRepository, type PriceRepositoryOptions } from "./price-repository.js";
export {
  createUsageRecordRepository,
  type DayOffsetSegment,
  type NewPendingUsage,
  type PendingUsageRecord,
  settledUsageStatuses,
  type UsageAggregateRow,
  type UsageFilter,
  type UsageGrouping,
  type UsageRecordRepository,
  type UsageSettlement,
} from "./usage-record-repository.js";
export { createInstanceRepository, type InstanceRecord, type InstanceRepository } from "./instance-repository.js";
export {
  type ConsoleSessionRecord,
  type ConsoleSessionRepository,
  createConsoleSessionRepository,
} from "./console-session-repository.js";
export {
  createGuardrailPolicyRepository,
  type GuardrailPolicyRecord,
  type GuardrailPolicyRepository,
  type GuardrailPolicySummary,
} from "./guardrail-policy-repository.js";
export { type AuditEntry, type AuditLogRepository, type AuditQuery, createAuditLogRepository, type NewAuditEntry } from "./audit-log-repository.js";
export {
  createRateLimitRepository,
  type RateLimitCounter,
  type RateLimitEntry,
  type RateLimitRepository,
  type RateLimitWindow,
} from "./rate-limit-repository.js";
export { createStoredBlobRepository, type StoredBlobPurpose, type StoredBlobRepository, storedBlobPartBytes } from "./stored-blob-repository.js";
