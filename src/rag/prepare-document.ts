import { InvalidRequestError } from "../spec/errors/index.js";
import type { EmbeddingModel } from "../spec/index.js";
import { chunkDocument } from "./chunk-document.js";
import { contentHash } from "./content-hash.js";
import type { IngestDocumentOptions, IngestDocumentResult, IngestStage } from "./ingest-document.js";
import type { DocumentWrite, KnowledgeStore } from "./knowledge-store.js";
import { parseDocument } from "./parse-document.js";
import type { DocumentChunk, KnowledgeBaseScope } from "./types.js";

/** A document ready to embed: parsed, chunked for every live generation. */
export type PreparedDocument = {
  document: DocumentWrite;
  /** The document existed before (it is being replaced). */
  replacing: boolean;
  targets: Array<{ generationId: number; model: EmbeddingModel; chunks: DocumentChunk[] }>;
  warnings: string[];
};

/** What {@link prepareDocument} found: nothing to do, or work for the embedder. */
export type Preparation = { kind: "unchanged"; result: IngestDocumentResult } | { kind: "prepared"; prepared: PreparedDocument };

/**
 * The JavaScript half of ingesting one document: the unchanged check (content hash + metadata, indexed in every live
 * generation), parsing, and chunking with each live generation's tokenizer. Writes nothing.
 * Throws `DocumentParseError` for unknown or corrupt files.
 */
export async function prepareDocument(
  options: Omit<IngestDocumentOptions, "store" | "scope" | "batchSize"> & {
    store: KnowledgeStore;
    scope: KnowledgeBaseScope;
    /** Awaited between steps of long work (see `TimeSlice`; default none). */
    pause?: (() => Promise<void>) | undefined;
  },
): Promise<Preparation> {
  const { store, scope, documentId } = options;
  const report = (stage: IngestStage) => options.onProgress?.({ documentId, stage, done: 0, total: 0 });
  const bytes = options.source.bytes ?? new TextEncoder().encode(options.source.text ?? "");
  const hash = contentHash(bytes);
  const metadata = options.metadata ?? {};
  const generations = (await store.listGenerations(scope)).filter((generation) => generation.status !== "retired");
  if (generations.length === 0) throw new InvalidRequestError({ message: `knowledge base ${scope.knowledgeBaseId} has no index generation`, code: "knowledge_base_not_indexed" });
  const existing = await store.getDocument(scope, documentId);
  if (existing && !options.force && existing.contentHash === hash && JSON.stringify(existing.metadata) === JSON.stringify(metadata)) {
    const counts = await store.countChunks(scope, documentId);
    if (generations.every((generation) => (counts.get(generation.id) ?? 0) > 0 || existing.characterCount === 0)) {
      return {
        kind: "unchanged",
        result: { documentId, status: "unchanged", contentHash: hash, chunkCounts: Object.fromEntries(counts), cachedCount: 0, embeddedCount: 0, warnings: [] },
      };
    }
  }
  report("parsing");
  const parsed = await parseDocument({ ...options.source, bytes, fileName: options.source.fileName ?? options.name });
  options.abortSignal?.throwIfAborted();
  const targets: PreparedDocument["targets"] = [];
  for (const generation of generations) {
    const embedder = await options.embedderFor(generation);
    report("chunking");
    const chunks = await chunkDocument(parsed, {
      documentId, countTokens: embedder.countTokens, pause: options.pause, chunkSize: embedder.chunkSize ?? generation.chunkSize, chunkOverlap: embedder.chunkOverlap ?? generation.chunkOverlap,
    });
    targets.push({ generationId: generation.id, model: embedder.model, chunks });
  }
  return {
    kind: "prepared",
    prepared: {
      document: { id: documentId, name: options.name, contentHash: hash, title: parsed.title, format: parsed.format, metadata, parsed },
      replacing: existing !== undefined,
      targets,
      warnings: parsed.warnings,
    },
  };
}
