import type { EmbeddingModel, LanguageModel } from "../spec/index.js";
import type { ProviderRecord } from "../store/records.js";
import type { ConnectionCheck, ConnectionTarget, ConnectionTestResult } from "./openai-compatible/test-connection.js";
import type { ProviderHealth } from "./provider-health.js";

/** One entry of `GET /v1/models`. */
export type ModelListing = { id: string; ownedBy: string; created: number; kind: "llm" | "embedding" };

/** A language model resolved to its ordered routes; streams fail over between them before the first byte. */
export type ResolvedLanguageModel = {
  /** The failover-wrapping model to call. */
  model: LanguageModel;
  /** Prompt-token counting and context length of the preferred route (local models know them exactly). */
  contextLength: number | undefined;
};

/** Maps public model names to local models and upstream routes. */
export interface Gateway {
  /** Throws NotFoundError for an unknown model, InvalidRequestError for an embedding-only model. */
  languageModel(name: string): Promise<ResolvedLanguageModel>;
  embeddingModel(name: string): Promise<EmbeddingModel>;
  listModels(): Promise<ModelListing[]>;
  /** Circuit-breaker state and recent latency of a provider's routes (as this process has seen them). */
  providerHealth(provider: ProviderRecord): ProviderHealth;
  /** Calls an upstream once through the routes' HTTP client (`GET /models` or a 1-token chat); never throws for its failures. */
  testConnection(target: ConnectionTarget, check: ConnectionCheck, signal?: AbortSignal | undefined): Promise<ConnectionTestResult>;
}
