import { getLlama, LlamaLogLevel, type LlamaEmbeddingContext, type LlamaModel } from "node-llama-cpp";
import type { EmbeddingModel } from "../../../src/spec/index.js";
import type { Embedder } from "../../../src/rag/index.js";

/** A GGUF embedding model driven directly through node-llama-cpp (tests and benches; 1 thread by default). */
export type LlamaTestEmbedder = Embedder & { dimensions: number; contextSize: number; dispose(): Promise<void>; llamaModel: LlamaModel };

/**
 * Loads `modelPath` as an {@link Embedder}: sequential `getEmbeddingFor` per text, tokenizer-based `countTokens`,
 * chunk size = context size − 4 (room for special tokens) unless given.
 */
export async function loadLlamaTestEmbedder(modelPath: string, options: { threads?: number; chunkSize?: number; chunkOverlap?: number } = {}): Promise<LlamaTestEmbedder> {
  const threads = options.threads ?? 1;
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: threads, logLevel: LlamaLogLevel.error });
  const llamaModel = await llama.loadModel({ modelPath });
  const contextSize = Math.min(llamaModel.trainContextSize, 512);
  const context: LlamaEmbeddingContext = await llamaModel.createEmbeddingContext({ threads, contextSize });
  const model: EmbeddingModel = {
    specificationVersion: "v1",
    provider: "llama.cpp",
    modelId: modelPath.split("/").pop()!.replace(/\.gguf$/, ""),
    async doEmbed({ values, abortSignal }) {
      const embeddings: number[][] = [];
      let inputTokens = 0;
      for (const value of values) {
        abortSignal?.throwIfAborted();
        inputTokens += llamaModel.tokenize(value).length;
        embeddings.push([...(await context.getEmbeddingFor(value)).vector]);
      }
      return { embeddings, usage: { inputTokens } };
    },
  };
  return {
    model,
    countTokens: (text) => llamaModel.tokenize(text).length,
    chunkSize: options.chunkSize ?? contextSize - 4,
    chunkOverlap: options.chunkOverlap ?? Math.floor((options.chunkSize ?? contextSize - 4) / 8),
    dimensions: llamaModel.embeddingVectorSize,
    contextSize,
    llamaModel,
    async dispose() {
      await context.dispose();
      await llamaModel.dispose();
    },
  };
}
