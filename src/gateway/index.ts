export { createGateway } from "./create-gateway.js";
export { failedAttemptsOf } from "./failed-attempts-of.js";
export type { GatewayOptions } from "./gateway-options.js";
export type { CircuitBreakerPolicy } from "./circuit-breaker.js";
export type { RetryPolicy } from "./retry-policy.js";
export type { Gateway, ModelListing, ResolvedLanguageModel } from "./types.js";
export {
  createOpenAICompatibleEmbeddingModel,
  createOpenAICompatibleLanguageModel,
  providerOptionsKey,
  type OpenAICompatibleEmbeddingModelOptions,
  type OpenAICompatibleLanguageModelOptions,
} from "./openai-compatible/index.js";
