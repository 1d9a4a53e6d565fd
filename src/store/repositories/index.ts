export { affectedRows, type DatabaseExecutor, isUniqueViolation } from "./database-executor.js";
export { arenaBattleImportKey, type ImportedBattleContent, importedBattleContent, occurrenceCounter } from "./arena-battle-import-key.js";
export { type AddModelInput, createModelRepository, type ModelRepository, type ModelRepositoryOptions } from "./model-repository.js";
export {
  type AddProviderInput,
  type UpdateProviderInput,
  createProviderRepository,
  type ProviderRepository,
  type ProviderRepositoryOptions,
} from "./provider-repository.js";
export {
  type ApiKeyLimitsPatch,
  type ApiKeyRepository,
  createApiKeyRepository,
  type NewApiKey,
  toApiKeyRecord,
} from "./api-key-repository.js";
export { createPriceRepository, type PriceRepository, type PriceRepositoryOptions } from "./price-repository.js";
export {
  createUsageRecordRepository,
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
