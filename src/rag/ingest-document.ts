import { InvalidRequestError } from "../spec/errors/index.js";
import { chunkDocument } from "./chunk-document.js";
import { contentHash } from "./content-hash.js";
import { embedWithCache } from "./embed-with-cache.js";
import type { GenerationRecord, KnowledgeStore } from "./knowledge-store.js";
import { parseDocument, type DocumentSource } from "./parse-document.js";
import type { EmbeddedChunk, Embedder, KnowledgeBaseScope } from "./types.js";

/** Stage of an ingestion, reported through `onProgress`. */
export type IngestStage = "parsing" | "chunking" | "embedding" | "storing" | "done";

/** Progress of one document; `done`/`total` count chunks while embedding. */
export type IngestProgress = { documentId: string; stage: IngestStage; done: number; total: number };

/** Options of {@link ingestDocument}. */
export type IngestDocumentOptions = {
  store: KnowledgeStore;
  scope: KnowledgeBaseScope;
  /** Document id within the knowledge base (re-using it replaces the document). */
  documentId: string;
  /** Display name (file name). */
  name: string;
  source: DocumentSource;
  metadata?: Record<string, string | number | boolean> | undefined;
  /** The embedder (model, tokenizer, chunk sizes) of each live index generation. */
  embedderFor: (generation: GenerationRecord) => Embedder | Promise<Embedder>;
  /** Texts per embedding call (default 32). */
  batchSize?: number | undefined;
  /** Re-process even if the content hash is unchanged (default false). */
  force?: boolean | undefined;
  onProgress?: ((progress: IngestProgress) => void) | undefined;
  abortSignal?: AbortSignal | undefined;
};

/** Result of {@link ingestDocument}. */
export type IngestDocumentResult = {
  documentId: string;
  status: "added" | "replaced" | "unchanged";
  contentHash: string;
  /** Chunks written per generation id. */
  chunkCounts: Record<number, number>;
  /** Chunks whose vectors came from the embedding cache / were embedded now. */
  cachedCount: number;
  embeddedCount: number;
  warnings: string[];
};

/**
 * parse → chunk → embed (batched, cached) → store, for every live generation of the knowledge base, written in
 * one atomic transaction (a crash leaves the previous version or the new one, never a mix). Idempotent: an
 * unchanged document (same bytes and metadata, indexed in every live generation) costs nothing.
 * Throws `DocumentParseError` for unknown or corrupt files, before anything is written.
 */
export async function ingestDocument(options: IngestDocumentOptions): Promise<IngestDocumentResult> {
  const { store, scope, documentId } = options;
  const report = (stage: IngestStage, done = 0, total = 0) => options.onProgress?.({ documentId, stage, done, total });
  const bytes = options.source.bytes ?? new TextEncoder().encode(options.source.text ?? "");
  const hash = contentHash(bytes);
  const metadata = options.metadata ?? {};
  const generations = (await store.listGenerations(scope)).filter((generation) => generation.status !== "retired");
  if (generations.length === 0) throw new InvalidRequestError({ message: `knowledge base ${scope.knowledgeBaseId} has no index generation`, code: "knowledge_base_not_indexed" });
  const existing = await store.getDocument(scope, documentId);
  if (existing && !options.force && existing.contentHash === hash && JSON.stringify(existing.metadata) === JSON.stringify(metadata)) {
    const counts = await store.countChunks(scope, documentId);
    if (generations.every((generation) => (counts.get(generation.id) ?? 0) > 0 || existing.characterCount === 0)) {
      report("done");
      return { documentId, status: "unchanged", contentHash: hash, chunkCounts: Object.fromEntries(counts), cachedCount: 0, embeddedCount: 0, warnings: [] };
    }
  }

  report("parsing");
  const parsed = await parseDocument({ ...options.source, bytes, fileName: options.source.fileName ?? options.name });
  options.abortSignal?.throwIfAborted();
  let cachedCount = 0;
  let embeddedCount = 0;
  const targets: Array<{ generationId: number; chunks: EmbeddedChunk[] }> = [];
  for (const generation of generations) {
    const embedder = await options.embedderFor(generation);
    report("chunking");
    const chunks = await chunkDocument(parsed, {
      documentId, countTokens: embedder.countTokens, chunkSize: embedder.chunkSize ?? generation.chunkSize, chunkOverlap: embedder.chunkOverlap ?? generation.chunkOverlap,
    });
    const embedded = await embedWithCache({
      store, model: embedder.model, items: chunks.map((chunk) => ({ text: chunk.searchText, contentHash: chunk.contentHash })),
      batchSize: options.batchSize, abortSignal: options.abortSignal, onProgress: (done, total) => report("embedding", done, total),
    });
    cachedCount += embedded.cachedCount;
    embeddedCount += embedded.embeddedCount;
    targets.push({ generationId: generation.id, chunks: chunks.map((chunk, index) => ({ ...chunk, vector: embedded.vectors[index]! })) });
  }
  options.abortSignal?.throwIfAborted();
  report("storing");
  await store.writeDocument(scope, {
    document: { id: documentId, name: options.name, contentHash: hash, title: parsed.title, format: parsed.format, metadata, parsed },
    generations: targets,
  });
  report("done");
  return {
    documentId, status: existing ? "replaced" : "added", contentHash: hash,
    chunkCounts: Object.fromEntries(targets.map((target) => [target.generationId, target.chunks.length])), cachedCount, embeddedCount, warnings: parsed.warnings,
  };
}
