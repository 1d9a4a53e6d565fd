import type { EmbeddingModel, LanguageModel } from "../spec/index.js";
import { LlamaInstance } from "./llama-instance.js";
import { LocalEmbeddingModel } from "./local-embedding-model.js";
import { LocalEmbeddingTokenizer } from "./local-embedding-tokenizer.js";
import { LocalLanguageModel } from "./local-language-model.js";
import { LocalPromptScorer } from "./local-prompt-scorer.js";
import { LocalRankingModel } from "./local-ranking-model.js";
import { ModelPool } from "./model-pool.js";
import { resolveRuntimeOptions, type RuntimeOptions } from "./runtime-options.js";
import type { EmbeddingTokenizer, PromptScorer, RankingModel, RegisteredModel, Runtime, RuntimeStats } from "./types.js";

/**
 * The local llama.cpp engine. Nothing native is created until the first model is used; `dispose`
 * releases every context, model and the llama binding.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const resolved = resolveRuntimeOptions(options);
  const llama = new LlamaInstance(resolved);
  const pool = new ModelPool(llama, resolved);
  return {
    languageModel(model: RegisteredModel): LanguageModel {
      return new LocalLanguageModel(model, pool);
    },
    embeddingModel(model: RegisteredModel): EmbeddingModel {
      return new LocalEmbeddingModel(model, pool);
    },
    promptScorer(model: RegisteredModel): PromptScorer {
      return new LocalPromptScorer(model, pool);
    },
    embeddingTokenizer(model: RegisteredModel): EmbeddingTokenizer {
      return new LocalEmbeddingTokenizer(model, pool);
    },
    rankingModel(model: RegisteredModel): RankingModel {
      return new LocalRankingModel(model, pool, llama);
    },
    stats(): RuntimeStats {
      return pool.stats();
    },
    load(model: RegisteredModel): Promise<void> {
      return pool.preload(model);
    },
    unload(name: string): Promise<void> {
      return pool.unload(name);
    },
    async dispose(): Promise<void> {
      await pool.dispose();
      await llama.dispose();
    },
  };
}
