import type { Modalities } from "../runtime/modalities.js";
import type { EmbeddingModel, LanguageModel } from "../spec/index.js";
import type { ProviderRecord } from "../store/records.js";
import type { ConnectionCheck, ConnectionTarget, ConnectionTestResult } from "./openai-compatible/test-connection.js";
import type { ProviderHealth } from "./provider-health.js";
import type { UpstreamJsonModel } from "./upstream-json-model.js";
import type { RerankingModel } from "./upstream-reranking-model.js";

/** One entry of `GET /v1/models`. */
export type ModelListing = {
  id: string;
  ownedBy: string;
  created: number;
  kind: "llm" | "embedding";
  /** What a local model takes in and gives out; undefined for upstream models (their provider does not say). */
  modalities?: Modalities | undefined;
};

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
  /**
   * The upstream providers of a model for JSON endpoints without a model interface (`/completions` echo scoring), by
   * priority, with retries, failover and circuit breaking. NotFoundError when no provider lists the name.
   */
  upstreamJsonModel(name: string): Promise<UpstreamJsonModel>;
  /** Reranking by a model's upstream providers (`POST /rerank`), like {@link upstreamJsonModel}. */
  rerankingModel(name: string): Promise<RerankingModel>;
  listModels(): Promise<ModelListing[]>;
  /**
   * Circuit-breaker state and recent latency of a provider's routes, its requests in flight (as this process has seen
   * them) and its latest active health check.
   */
  providerHealth(provider: ProviderRecord): ProviderHealth;
  /** Starts the providers' active health checks, when an interval is configured (a server's start). */
  start(): void;
  /** Stops the health checks (a check in progress is aborted). */
  dispose(): Promise<void>;
  /** Calls an upstream once through the routes' HTTP client (`GET /models` or a 1-token chat); never throws for its failures. */
  testConnection(target: ConnectionTarget, check: ConnectionCheck, signal?: AbortSignal | undefined): Promise<ConnectionTestResult>;
}
