import type { EmbeddingModel, LanguageModel } from "../spec/index.js";

/** What `aiplus models show` prints; read from the GGUF header, stored as JSON in the registry. */
export type ModelMetadata = {
  architecture: string;
  /** `llm` for causal LMs, `embedding` for encoders with pooling (bert, nomic-bert, …). */
  kind: "llm" | "embedding";
  parameterCount: number | undefined;
  /** e.g. `F32`, `F16`, `Q4_K_M` (from general.file_type). */
  quantization: string | undefined;
  contextLength: number | undefined;
  embeddingLength: number | undefined;
  /** MoE only: experts per layer and experts used per token. */
  expertCount: number | undefined;
  expertUsedCount: number | undefined;
  hasChatTemplate: boolean;
  vocabularySize: number | undefined;
  fileSizeBytes: number;
};

/** A model as the registry stores it. */
export type RegisteredModel = {
  name: string;
  path: string;
  kind: "llm" | "embedding";
  metadata: ModelMetadata;
};

/** Live state of the pool, for `/admin/runtime` and tests. */
export type RuntimeStats = {
  loaded: { name: string; memoryBytes: number; activeSequences: number; queued: number; lastUsedAt: number }[];
  memoryBudgetBytes: number;
};

/** The local llama.cpp engine: a pool of loaded models and their schedulers. */
export interface Runtime {
  /** A LanguageModel over a registered GGUF; loads lazily on first call. */
  languageModel(model: RegisteredModel): LanguageModel;
  /** An EmbeddingModel over a registered GGUF; loads lazily on first call. */
  embeddingModel(model: RegisteredModel): EmbeddingModel;
  stats(): RuntimeStats;
  /** Unloads one model now (e.g. after `models rm`). */
  unload(name: string): Promise<void>;
  dispose(): Promise<void>;
}
