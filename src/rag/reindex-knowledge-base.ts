import { NotFoundError } from "../spec/errors/index.js";
import { chunkDocument } from "./chunk-document.js";
import { embedWithCache } from "./embed-with-cache.js";
import { embeddingModelKey } from "./embedding-model-key.js";
import type { GenerationRecord, KnowledgeStore } from "./knowledge-store.js";
import type { Embedder, KnowledgeBaseScope } from "./types.js";

/** Options of {@link reindexKnowledgeBase}. */
export type ReindexKnowledgeBaseOptions = {
  store: KnowledgeStore;
  scope: KnowledgeBaseScope;
  /** The new embedder (model, tokenizer, chunk sizes: default 256 / 32). */
  embedder: Embedder;
  /** Texts per embedding call (default 32). */
  batchSize?: number | undefined;
  /** Switch to the new generation when complete (default true). */
  activate?: boolean | undefined;
  onProgress?: ((progress: { generationId: number; documentsDone: number; documentsTotal: number }) => void) | undefined;
  abortSignal?: AbortSignal | undefined;
};

/**
 * Builds a new index generation with another embedding model in the background while the active one keeps
 * serving, then switches atomically. Resumable: re-running continues the building generation of the same model
 * and skips documents already indexed there. Documents added meanwhile through `ingestDocument` are written to
 * both generations.
 */
export async function reindexKnowledgeBase(options: ReindexKnowledgeBaseOptions): Promise<GenerationRecord> {
  const { store, scope, embedder } = options;
  const modelKey = embeddingModelKey(embedder.model);
  const chunkSize = embedder.chunkSize ?? 256;
  const chunkOverlap = embedder.chunkOverlap ?? 32;
  let generation = (await store.listGenerations(scope)).find(
    (candidate) => candidate.status === "building" && candidate.embeddingModelId === modelKey && candidate.chunkSize === chunkSize && candidate.chunkOverlap === chunkOverlap,
  );
  if (!generation) {
    const probe = await embedder.model.doEmbed({ values: ["dimension probe"], abortSignal: options.abortSignal });
    const dimensions = probe.embeddings[0]?.length ?? 0;
    generation = await store.createGeneration(scope, { embeddingModelId: modelKey, dimensions, chunkSize, chunkOverlap });
  }
  const generationId = generation.id;
  const documents = await store.listDocuments(scope);
  const indexed = new Set(await store.listIndexedDocumentIds(scope, generationId));
  let documentsDone = 0;
  for (const record of documents) {
    options.abortSignal?.throwIfAborted();
    if (!indexed.has(record.id)) {
      const document = await store.getDocument(scope, record.id);
      if (document) {
        const chunks = await chunkDocument(document.parsed, { documentId: record.id, countTokens: embedder.countTokens, chunkSize, chunkOverlap });
        const embedded = await embedWithCache({
          store, model: embedder.model, items: chunks.map((chunk) => ({ text: chunk.searchText, contentHash: chunk.contentHash })),
          batchSize: options.batchSize, abortSignal: options.abortSignal,
        });
        try {
          await store.writeGenerationChunks(scope, generationId, record.id, chunks.map((chunk, index) => ({ ...chunk, vector: embedded.vectors[index]! })));
        } catch (error) {
          if (!(error instanceof NotFoundError) || error.code === "generation_not_found") throw error;
        }
      }
    }
    options.onProgress?.({ generationId, documentsDone: ++documentsDone, documentsTotal: documents.length });
  }
  if (options.activate ?? true) await store.activateGeneration(scope, generationId);
  return (await store.listGenerations(scope)).find((candidate) => candidate.id === generationId)!;
}
