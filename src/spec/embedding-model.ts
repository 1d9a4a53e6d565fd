import type { RequestGuard } from "./request-guard.js";

/** An embedding model (local GGUF through llama.cpp, or an upstream `/v1/embeddings`). */
export interface EmbeddingModel {
  readonly specificationVersion: "v1";
  readonly provider: string;
  readonly modelId: string;
  /** Embeds `values`; vectors are L2-normalised. `usage.inputTokens` is exact for local models. */
  doEmbed(options: {
    values: string[];
    abortSignal?: AbortSignal | undefined;
    /** The request's guardrails, applied by the gateway per route (see `LanguageModelCallOptions.guard`). */
    guard?: RequestGuard | undefined;
  }): Promise<{
    embeddings: number[][];
    usage: { inputTokens: number | undefined };
  }>;
}
