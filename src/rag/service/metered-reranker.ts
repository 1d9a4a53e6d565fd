import type { Reranker } from "../types.js";
import { rerankInputBound } from "../rerank-input-bound.js";
import type { EmbeddingMeter } from "./embedding-meter.js";

/**
 * Wraps a reranker so that each call is one `rerank` ledger entry billed to `keyId` (budget reserved on the UTF-8
 * bytes of every query–document pair, settled with the tokens the reranker reports; unknown stays unknown).
 */
export function meteredReranker(reranker: Reranker, options: { meter: EmbeddingMeter; keyId: string | undefined; modelName: string }): Reranker {
  return {
    async rerank(query, documents, call = {}) {
      const maxInputTokens = rerankInputBound(query, documents);
      const entry = await options.meter({ keyId: options.keyId, model: options.modelName, maxInputTokens, endpoint: "rerank" });
      let inputTokens: number | undefined;
      try {
        const scores = await reranker.rerank(query, documents, {
          ...call,
          guard: call.guard ?? entry.guard,
          onUsage: (usage) => {
            inputTokens = usage.inputTokens;
            call.onUsage?.(usage);
          },
        });
        await entry.settle({ inputTokens, status: "ok" });
        return scores;
      } catch (error) {
        await entry.settle({
          inputTokens,
          status: call.abortSignal?.aborted ? "cancelled" : "error",
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        throw error;
      }
    },
  };
}
