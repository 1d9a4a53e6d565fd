import type { EmbeddingModel } from "../../spec/index.js";
import type { Reranker } from "../types.js";
import { cosineSimilarity } from "../vector-math.js";

/**
 * A bi-encoder reranker: cosine similarity between the query's and each document's embedding (in [-1, 1]). Used
 * when the named model is an embedding model without a ranking head.
 */
export function embeddingSimilarityReranker(model: EmbeddingModel): Reranker {
  return {
    async rerank(query, documents, options = {}) {
      if (documents.length === 0) return [];
      const result = await model.doEmbed({ values: [query, ...documents], abortSignal: options.abortSignal });
      const [queryVector, ...documentVectors] = result.embeddings;
      if (!queryVector || documentVectors.length !== documents.length) throw new Error(`embedding model returned ${result.embeddings.length} vectors for ${documents.length + 1} texts`);
      options.onUsage?.({ inputTokens: result.usage.inputTokens });
      return documentVectors.map((vector) => cosineSimilarity(queryVector, vector));
    },
  };
}
