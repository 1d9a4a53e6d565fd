export { createGateway } from "./create-gateway.js";
export { failedAttemptsOf } from "./failed-attempts-of.js";
export type { GatewayOptions } from "./gateway-options.js";
export { guardedEmbeddingModel, guardedLanguageModel, type FallbackGuard } from "./guarded-models.js";
export type { CircuitBreakerPolicy, CircuitSnapshot, CircuitState } from "./circuit-breaker.js";
export { maskSecret } from "./mask-secret.js";
export type { ConnectionCheck, ConnectionTarget, ConnectionTestResult } from "./openai-compatible/test-connection.js";
export type { ProviderHealth, ProviderRouteHealth } from "./provider-health.js";
export type { LatencySnapshot } from "./route-latency.js";
export type { RetryPolicy } from "./retry-policy.js";
export type { UpstreamHealthCheck } from "./upstream-health-checks.js";
export type { Gateway, ModelListing, ResolvedLanguageModel } from "./types.js";
export { directUpstreamJsonModel, type UpstreamEndpoint, type UpstreamJsonModel, type UpstreamJsonRoute } from "./upstream-json-model.js";
export type { RerankCallOptions, RerankingModel } from "./upstream-reranking-model.js";
export {
  createOpenAICompatibleEmbeddingModel,
  createOpenAICompatibleLanguageModel,
  providerOptionsKey,
  type OpenAICompatibleEmbeddingModelOptions,
  type OpenAICompatibleLanguageModelOptions,
} from "./openai-compatible/index.js";
