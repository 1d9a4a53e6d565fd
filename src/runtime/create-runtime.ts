import os from "node:os";
import { InvalidRequestError, type EmbeddingModel, type LanguageModel } from "../spec/index.js";
import { LlamaInstance } from "./llama-instance.js";
import { LocalEmbeddingModel } from "./local-embedding-model.js";
import { LocalEmbeddingTokenizer } from "./local-embedding-tokenizer.js";
import { LocalLanguageModel } from "./local-language-model.js";
import { LocalPromptScorer } from "./local-prompt-scorer.js";
import { LocalRankingModel } from "./local-ranking-model.js";
import { ModelPool } from "./model-pool.js";
import { NativeEmbeddingModel, NativeLanguageModel, selectEngine, type EngineSelection } from "./native/index.js";
import { NativePromptScorer, nativePromptLogprobs, NativeScoreEngine, nativeScorerPath } from "./native-score/index.js";
import { resolveRuntimeOptions, type RuntimeOptions } from "./runtime-options.js";
import type { EmbeddingTokenizer, PromptScorer, RankingModel, RegisteredModel, Runtime, RuntimeStats } from "./types.js";

/** The engine selection of `options`; throws when `native` is asked for and not built. */
function engineFor(options: RuntimeOptions): EngineSelection | undefined {
  if (options.nativeDir === undefined) return undefined;
  const selection = selectEngine(options.engine ?? "node-llama-cpp", options.nativeDir);
  if (selection.active === "native" && !selection.native.built) {
    throw new InvalidRequestError({ message: `${selection.reason}; or set AIPLUS_ENGINE=node-llama-cpp`, param: "engine", code: "native_engine_not_built" });
  }
  return selection;
}

/**
 * The local llama.cpp engine: in-process (node-llama-cpp) or native (a managed llama-server worker per model, see
 * src/runtime/native). Nothing native is created until the first model is used; `dispose` releases every context,
 * model, worker and the llama binding. On the native engine reranking and embedding tokenization stay in-process.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const resolved = resolveRuntimeOptions(options);
  const engine = engineFor(options);
  const native = engine?.active === "native";
  const llama = new LlamaInstance(resolved);
  // A GPU build offloads every layer (llama.cpp caps the count at the model's) unless the GPU is switched off.
  const gpuLayers = native && engine.native.gpu !== undefined && resolved.gpu !== "cpu" ? 999 : 0;
  const pool = new ModelPool(llama, resolved, native ? engine.native.serverPath : undefined, gpuLayers);
  if (engine) resolved.logger.info({ engine: engine.active, reason: engine.reason }, "local engine selected");
  // Prompt log-probabilities in the native helper process when the native build has it (see src/runtime/native-score).
  // The explicit path (tests, benchmarks) or bin/aiplus-score of the selected engine's build (auto/native only).
  const scorerPath = resolved.nativeScorerPath ?? (options.nativeDir !== undefined ? nativeScorerPath(options.engine ?? "node-llama-cpp", options.nativeDir) : undefined);
  const nativeScoring = scorerPath
    ? new NativeScoreEngine({
        binaryPath: scorerPath,
        threads: resolved.threads ?? Math.max(1, os.availableParallelism()),
        contextSize: resolved.contextSize,
        idleStopSeconds: resolved.idleUnloadSeconds,
        gpuLayers,
        memory: pool,
        logger: resolved.logger,
      })
    : undefined;
  return {
    languageModel(model: RegisteredModel): LanguageModel {
      const local = new LocalLanguageModel(model, pool, nativeScoring ? nativePromptLogprobs(nativeScoring, model) : undefined);
      return native ? new NativeLanguageModel(model, pool, local) : local;
    },
    embeddingModel(model: RegisteredModel): EmbeddingModel {
      return native ? new NativeEmbeddingModel(model, pool) : new LocalEmbeddingModel(model, pool);
    },
    promptScorer(model: RegisteredModel): PromptScorer {
      return nativeScoring ? new NativePromptScorer(model, nativeScoring) : new LocalPromptScorer(model, pool);
    },
    embeddingTokenizer(model: RegisteredModel): EmbeddingTokenizer {
      return new LocalEmbeddingTokenizer(model, pool);
    },
    rankingModel(model: RegisteredModel): RankingModel {
      return new LocalRankingModel(model, pool, llama);
    },
    stats(): RuntimeStats {
      return { ...pool.stats(), engine };
    },
    load(model: RegisteredModel): Promise<void> {
      return pool.preload(model);
    },
    async unload(name: string): Promise<void> {
      await Promise.all([pool.unload(name), nativeScoring?.unload(name)]);
    },
    async dispose(): Promise<void> {
      await nativeScoring?.dispose();
      await pool.dispose();
      await llama.dispose();
    },
  };
}
