import type { RequestGuard } from "../spec/index.js";
import type { FallbackGuard } from "./guarded-models.js";
import { rerankOnRoute } from "./openai-compatible/rerank-on-route.js";
import type { UpstreamJsonModel } from "./upstream-json-model.js";

/** Options of {@link RerankingModel.rerank}. */
export type RerankCallOptions = {
  abortSignal?: AbortSignal | undefined;
  /** Called once after a successful call with the tokens the upstream reported (unknown: undefined). */
  onUsage?: ((usage: { inputTokens: number | undefined }) => void) | undefined;
  /** The request's guardrails: the query and documents are masked (or blocked) for each route before it is called. */
  guard?: RequestGuard | undefined;
};

/** A reranker served by upstream providers: one relevance score per document, in the documents' order. */
export type RerankingModel = {
  modelId: string;
  rerank(query: string, documents: string[], options?: RerankCallOptions): Promise<number[]>;
};

/**
 * Reranking over a model's upstream routes (`POST /rerank`): the call's guard (else the fallback guard, else none)
 * applies each route's rules before that route is called, then the routes are tried with the model's retries,
 * failover and circuit breaking.
 */
export function upstreamRerankingModel(model: UpstreamJsonModel, fallbackGuard: FallbackGuard | undefined): RerankingModel {
  return {
    modelId: model.modelId,
    async rerank(query, documents, options = {}) {
      options.abortSignal?.throwIfAborted();
      if (documents.length === 0) return [];
      const guard = options.guard ?? (await fallbackGuard?.());
      const result = await model.call(async (route) => {
        const [guardedQuery = "", ...guardedDocuments] = guard
          ? await guard.guardEmbeddingCall({ name: route.providerName, local: false }, [query, ...documents])
          : [query, ...documents];
        return rerankOnRoute(route, { query: guardedQuery, documents: guardedDocuments }, options.abortSignal);
      }, options.abortSignal);
      options.onUsage?.({ inputTokens: result.inputTokens });
      return result.scores;
    },
  };
}
