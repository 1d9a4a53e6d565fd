import type { EmbeddingModel } from "../spec/index.js";

/** Stable id of an embedding model for generations and the embedding cache: `provider/modelId`. */
export function embeddingModelKey(model: EmbeddingModel): string {
  return `${model.provider}/${model.modelId}`;
}
