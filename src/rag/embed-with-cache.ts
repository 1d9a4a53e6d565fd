import type { EmbeddingModel } from "../spec/index.js";
import { embeddingModelKey } from "./embedding-model-key.js";
import type { KnowledgeStore } from "./knowledge-store.js";
import { normaliseVector } from "./vector-math.js";

/** Options of {@link embedWithCache}. */
export type EmbedWithCacheOptions = {
  store: KnowledgeStore;
  model: EmbeddingModel;
  /** Texts with their content hashes (the cache key together with the model id). */
  items: Array<{ text: string; contentHash: string }>;
  /** Texts per `doEmbed` call (default 32). */
  batchSize?: number | undefined;
  abortSignal?: AbortSignal | undefined;
  /** Called after each embedded batch with the number of items done so far (cache hits count as done). */
  onProgress?: ((done: number, total: number) => void) | undefined;
};

/** Result of {@link embedWithCache}. */
export type EmbedWithCacheResult = { vectors: Float32Array[]; cachedCount: number; embeddedCount: number; inputTokens: number | undefined };

/**
 * Embeds texts in batches, L2-normalised, reusing and filling the store's embedding cache (content hash +
 * embedding model id): unchanged text is never embedded twice. Identical texts in one call are embedded once.
 */
export async function embedWithCache(options: EmbedWithCacheOptions): Promise<EmbedWithCacheResult> {
  const modelKey = embeddingModelKey(options.model);
  const batchSize = options.batchSize ?? 32;
  const firstByHash = new Map<string, { text: string; contentHash: string; occurrences: number }>();
  for (const item of options.items) {
    const entry = firstByHash.get(item.contentHash);
    if (entry) entry.occurrences++;
    else firstByHash.set(item.contentHash, { ...item, occurrences: 1 });
  }
  const known = await options.store.getCachedEmbeddings(modelKey, [...firstByHash.keys()]);
  const cachedCount = options.items.filter((item) => known.has(item.contentHash)).length;
  const missing = [...firstByHash.values()].filter((item) => !known.has(item.contentHash));
  let inputTokens: number | undefined = 0;
  let done = cachedCount;
  options.onProgress?.(done, options.items.length);
  for (let offset = 0; offset < missing.length; offset += batchSize) {
    options.abortSignal?.throwIfAborted();
    const batch = missing.slice(offset, offset + batchSize);
    const result = await options.model.doEmbed({ values: batch.map((item) => item.text), abortSignal: options.abortSignal });
    if (result.embeddings.length !== batch.length) throw new Error(`embedding model returned ${result.embeddings.length} vectors for ${batch.length} texts`);
    const entries = batch.map((item, index) => ({ contentHash: item.contentHash, vector: normaliseVector(result.embeddings[index]!) }));
    await options.store.putCachedEmbeddings(modelKey, entries);
    for (const entry of entries) known.set(entry.contentHash, entry.vector);
    inputTokens = inputTokens === undefined || result.usage.inputTokens === undefined ? undefined : inputTokens + result.usage.inputTokens;
    done += batch.reduce((sum, item) => sum + item.occurrences, 0);
    options.onProgress?.(done, options.items.length);
  }
  return {
    vectors: options.items.map((item) => known.get(item.contentHash)!),
    cachedCount,
    embeddedCount: missing.length,
    inputTokens: missing.length === 0 ? 0 : inputTokens,
  };
}
