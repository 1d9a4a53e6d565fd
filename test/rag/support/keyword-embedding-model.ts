import type { EmbeddingModel } from "../../../src/spec/index.js";
import { lexicalTerms, type Embedder } from "../../../src/rag/index.js";

/**
 * Hand-made embeddings for tests: one dimension per keyword (its count in the text), plus a constant last
 * dimension so no vector is zero. Meaningful, deterministic and tiny.
 */
export function keywordEmbeddingModel(keywords: string[], modelId = "keywords"): EmbeddingModel & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    specificationVersion: "v1",
    provider: "test",
    modelId,
    calls,
    async doEmbed({ values }) {
      calls.push(values);
      const embeddings = values.map((value) => {
        const terms = lexicalTerms(value);
        return [...keywords.map((keyword) => terms.filter((term) => term === keyword).length), 0.01];
      });
      return { embeddings, usage: { inputTokens: values.reduce((sum, value) => sum + lexicalTerms(value).length, 0) } };
    },
  };
}

/** An embedder around {@link keywordEmbeddingModel} counting words as tokens. */
export function keywordEmbedder(keywords: string[], options: { modelId?: string; chunkSize?: number; chunkOverlap?: number } = {}): Embedder & { model: ReturnType<typeof keywordEmbeddingModel> } {
  return {
    model: keywordEmbeddingModel(keywords, options.modelId),
    countTokens: (text) => lexicalTerms(text).length,
    chunkSize: options.chunkSize ?? 64,
    chunkOverlap: options.chunkOverlap ?? 8,
  };
}
