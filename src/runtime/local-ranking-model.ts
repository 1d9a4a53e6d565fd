import type { LlamaModel, LlamaRankingContext } from "node-llama-cpp";
import { InvalidRequestError } from "../spec/index.js";
import type { LlamaInstance } from "./llama-instance.js";
import type { ModelPool } from "./model-pool.js";
import type { RankingModel, RegisteredModel } from "./types.js";

/** One ranking context per loaded model file (created lazily, disposed with the model). */
const rankingContexts = new WeakMap<LlamaModel, Promise<LlamaRankingContext>>();

/**
 * A reranker over a pooled local GGUF with a classification head (e.g. bge-reranker): node-llama-cpp's ranking
 * context scores each (query, document) pair with a probability in [0, 1]. Calls are serialised with the model's
 * embedding work. Throws InvalidRequestError (`model_not_ranking`) for a model without a ranking head.
 */
export class LocalRankingModel implements RankingModel {
  constructor(
    private readonly registered: RegisteredModel,
    private readonly pool: ModelPool,
    private readonly llama: LlamaInstance,
  ) {}

  async rank(query: string, documents: string[], options: { abortSignal?: AbortSignal | undefined } = {}): Promise<number[]> {
    options.abortSignal?.throwIfAborted();
    if (documents.length === 0) return [];
    const lease = await this.pool.acquireEmbeddingModel(this.registered);
    try {
      const { loaded } = lease;
      return await loaded.run(async () => {
        const context = await this.contextFor(loaded.model, loaded.contextSize);
        const scores: number[] = [];
        for (const document of documents) {
          options.abortSignal?.throwIfAborted();
          scores.push(await context.rank(query, document, { onOverflow: "maxChunk" }));
        }
        return scores;
      });
    } finally {
      lease.release();
    }
  }

  private contextFor(model: LlamaModel, contextSize: number): Promise<LlamaRankingContext> {
    let context = rankingContexts.get(model);
    if (!context) {
      context = (async () => {
        try {
          return await model.createRankingContext({ contextSize, threads: await this.llama.threads() });
        } catch (error) {
          throw new InvalidRequestError({
            message: `The model '${this.registered.name}' cannot rank documents (${error instanceof Error ? error.message : String(error)})`,
            param: "model",
            code: "model_not_ranking",
            cause: error,
          });
        }
      })();
      context.catch(() => rankingContexts.delete(model));
      rankingContexts.set(model, context);
    }
    return context;
  }
}
