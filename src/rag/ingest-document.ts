import { ingestDocuments } from "./ingest-documents.js";
import type { GenerationRecord, KnowledgeStore } from "./knowledge-store.js";
import type { DocumentSource } from "./parse-document.js";
import type { Embedder, KnowledgeBaseScope } from "./types.js";

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
 * The same pipeline as {@link ingestDocuments}, for one document.
 */
export async function ingestDocument(options: IngestDocumentOptions): Promise<IngestDocumentResult> {
  const { store, scope, embedderFor, batchSize, abortSignal, ...document } = options;
  const [outcome] = await ingestDocuments([document], { store, scope, embedderFor, batchSize, abortSignal });
  if (!outcome!.ok) throw outcome!.error;
  return outcome!.result;
}
