import fs from "node:fs";
import { z } from "zod";
import type { JobContext, JobRecord } from "../../jobs/index.js";
import { AiplusError } from "../../spec/index.js";
import { ingestDocument } from "../ingest-document.js";
import type { GenerationRecord, KnowledgeStore } from "../knowledge-store.js";
import type { Embedder } from "../types.js";
import type { IngestedDocumentOutcome, IngestJobResult } from "./knowledge-views.js";

/** Job kind of document ingestion. */
export const ingestJobKind = "knowledge.ingest";

const formats = ["pdf", "docx", "html", "markdown", "text", "csv", "json"] as const;

/** Payload of an ingestion job (JSON in the jobs table). */
export const ingestJobPayloadSchema = z.object({
  knowledgeBaseId: z.string(),
  ownerId: z.string(),
  force: z.boolean().optional(),
  /** Folder of uploaded files to remove when the job ends. */
  stagingFolder: z.string().optional(),
  documents: z.array(
    z.object({
      documentId: z.string(),
      name: z.string(),
      /** File to read: the user's file (CLI) or a staged upload. */
      file: z.string(),
      format: z.enum(formats).optional(),
      metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    }),
  ),
});

export type IngestJobPayload = z.output<typeof ingestJobPayloadSchema>;

/**
 * Runs an ingestion job: each document is parsed, chunked, embedded and written atomically; a failing document gets its
 * own error and the others go on. Re-running after a crash skips documents already stored unchanged (content hash),
 * and the embedding cache spares re-embedding chunks of a document that was interrupted, so nothing is duplicated.
 */
export async function runIngestJob(
  job: JobRecord,
  context: JobContext,
  dependencies: { store: KnowledgeStore; embedderFor: (generation: GenerationRecord, keyId: string | undefined) => Promise<Embedder> },
): Promise<IngestJobResult> {
  const payload = ingestJobPayloadSchema.parse(job.payload);
  const scope = { knowledgeBaseId: payload.knowledgeBaseId, ownerId: payload.ownerId };
  const embedders = new Map<number, Promise<Embedder>>();
  const embedderFor = (generation: GenerationRecord) => {
    let embedder = embedders.get(generation.id);
    if (!embedder) embedders.set(generation.id, (embedder = dependencies.embedderFor(generation, job.keyId)));
    return embedder;
  };
  const outcomes: IngestedDocumentOutcome[] = [];
  const total = payload.documents.length;
  context.progress(0, total);
  for (const [index, document] of payload.documents.entries()) {
    context.signal.throwIfAborted();
    try {
      const bytes = await fs.promises.readFile(document.file);
      const result = await ingestDocument({
        store: dependencies.store, scope, documentId: document.documentId, name: document.name, metadata: document.metadata, force: payload.force,
        source: { bytes, fileName: document.name, format: document.format }, embedderFor, abortSignal: context.signal,
      });
      const chunkCount = Math.max(0, ...Object.values(result.chunkCounts));
      outcomes.push({ documentId: document.documentId, name: document.name, status: result.status, chunkCount, warnings: result.warnings });
    } catch (error) {
      if (context.signal.aborted) throw error;
      outcomes.push({
        documentId: document.documentId, name: document.name, status: "failed", chunkCount: 0, warnings: [],
        error: error instanceof Error ? error.message : String(error),
        errorCode: AiplusError.isInstance(error) ? error.code : (error as NodeJS.ErrnoException).code === "ENOENT" ? "file_not_found" : undefined,
      });
    }
    context.progress(index + 1, total);
  }
  if (payload.stagingFolder) await fs.promises.rm(payload.stagingFolder, { recursive: true, force: true });
  const count = (status: IngestedDocumentOutcome["status"]) => outcomes.filter((outcome) => outcome.status === status).length;
  return { documents: outcomes, added: count("added"), replaced: count("replaced"), unchanged: count("unchanged"), failed: count("failed") };
}
