import { GgufInsights, readGgufFileInfo, type LlamaModel, type LlamaRankingContext } from "node-llama-cpp";
import { ContextOverflowError, InvalidRequestError } from "../spec/index.js";
import { AsyncLock } from "./async-lock.js";
import type { LlamaInstance } from "./llama-instance.js";
import type { ModelPool } from "./model-pool.js";
import type { RankingModel, RankingOptions, RegisteredModel } from "./types.js";

/** One ranking context per loaded model file (created lazily, disposed with the model). */
const rankingContexts = new WeakMap<LlamaModel, Promise<LlamaRankingContext>>();
/** Serialises ranking on causal LMs (embedding models use their own lock, shared with embedding work). */
const rankingLocks = new WeakMap<LlamaModel, AsyncLock>();
/** Whether a GGUF file has a ranking head, by path (read from the header once, before loading anything). */
const rankingSupport = new Map<string, Promise<boolean>>();

/**
 * A reranker over a pooled local GGUF with a classification head (bge-reranker, jina-reranker, Qwen3-Reranker):
 * node-llama-cpp's ranking context scores each (query, document) pair with a probability in [0, 1]; a document
 * longer than the context is split and scores its best chunk. On an embedding model, calls are serialised with the
 * model's embedding work. Throws InvalidRequestError (`model_not_ranking`) for a model without a ranking head,
 * without loading it.
 */
export class LocalRankingModel implements RankingModel {
  constructor(
    private readonly registered: RegisteredModel,
    private readonly pool: ModelPool,
    private readonly llama: LlamaInstance,
  ) {}

  async rank(query: string, documents: string[], options: RankingOptions = {}): Promise<number[]> {
    options.abortSignal?.throwIfAborted();
    if (documents.length === 0) return [];
    await this.assertRankingHead();
    const lease = this.registered.kind === "embedding" ? await this.pool.acquireEmbeddingModel(this.registered, options.abortSignal) : await this.pool.acquireLanguageModel(this.registered, options.abortSignal);
    try {
      const { loaded } = lease;
      const work = async () => {
        const context = await this.contextFor(loaded.model, loaded.contextSize);
        const scores: number[] = [];
        let inputTokens = 0;
        for (const [index, document] of documents.entries()) {
          options.abortSignal?.throwIfAborted();
          scores.push(await this.rankOne(context, query, document, index));
          inputTokens += context.calculateInputLength(query, document);
        }
        options.onUsage?.({ inputTokens });
        return scores;
      };
      if (loaded.kind === "embedding") return await loaded.run(work);
      let lock = rankingLocks.get(loaded.model);
      if (!lock) rankingLocks.set(loaded.model, (lock = new AsyncLock()));
      return await lock.run(work);
    } finally {
      lease.release();
    }
  }

  private async rankOne(context: LlamaRankingContext, query: string, document: string, index: number): Promise<number> {
    try {
      return await context.rank(query, document, { onOverflow: "maxChunk" });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/too long|exceed the context/i.test(message)) throw error;
      throw new ContextOverflowError({
        message: `the query is too long to rank documents[${index}] within the reranker's context of ${context.contextSize} tokens`,
        param: "query",
        code: "context_length_exceeded",
        cause: error,
      });
    }
  }

  /** Whether the GGUF has a ranking head (read from its header once per file; nothing is loaded). */
  async canRank(): Promise<boolean> {
    return this.hasRankingHead();
  }

  private hasRankingHead(): Promise<boolean> {
    let supported = rankingSupport.get(this.registered.path);
    if (!supported) {
      supported = (async () => {
        const llama = await this.llama.get();
        return (await GgufInsights.from(await readGgufFileInfo(this.registered.path, { logWarnings: false }), llama)).supportsRanking;
      })();
      supported.catch(() => rankingSupport.delete(this.registered.path));
      rankingSupport.set(this.registered.path, supported);
    }
    return supported;
  }

  private async assertRankingHead(): Promise<void> {
    if (!(await this.hasRankingHead())) {
      throw new InvalidRequestError({
        message: `The model '${this.registered.name}' cannot rank documents: it has no ranking head (cls / cls.output tensors)`,
        param: "model",
        code: "model_not_ranking",
      });
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
