import fs from "node:fs";
import { z } from "zod";
import type { JobContext, JobRecord } from "../../jobs/index.js";
import { AiplusError } from "../../spec/index.js";
import type { IngestProgress } from "../ingest-document.js";
import { ingestDocuments, type IngestOutcome } from "../ingest-documents.js";
import type { GenerationRecord, KnowledgeStore } from "../knowledge-store.js";
import type { Embedder } from "../types.js";
import type { DocumentTaskProgress } from "./document-task-progress.js";
import type { IngestedDocumentOutcome, IngestJobResult } from "./knowledge-views.js";

/** Job kind of document ingestion. */
export const ingestJobKind = "knowledge.ingest";

const formats = ["pdf", "docx", "html", "markdown", "text", "csv", "json"] as const;

/** Payload of an ingestion job (JSON in the jobs table). */
export const ingestJobPayloadSchema = z.object({
  knowledgeBaseId: z.string(),
  ownerId: z.string(),
  force: z.boolean().optional(),
  /** Folder of uploaded files of jobs queued by earlier versions (uploads are now staged in the database). */
  stagingFolder: z.string().optional(),
  documents: z.array(
    z.object({
      documentId: z.string(),
      name: z.string(),
      /** What to read: the user's file (CLI) or a staged upload (`staged-upload:<id>`, in the database). */
      file: z.string(),
      format: z.enum(formats).optional(),
      metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    }),
  ),
});

export type IngestJobPayload = z.output<typeof ingestJobPayloadSchema>;

/**
 * Runs an ingestion job through the {@link ingestDocuments} pipeline: each document is parsed, chunked, embedded and
 * written atomically; a failing document gets its own error and the others go on. Re-running after a crash skips
 * documents already stored unchanged (content hash), and the embedding cache spares re-embedding chunks of a
 * document that was interrupted, so nothing is duplicated.
 */
export async function runIngestJob(
  job: JobRecord,
  context: JobContext,
  dependencies: {
    store: KnowledgeStore;
    embedderFor: (generation: GenerationRecord, keyId: string | undefined) => Promise<Embedder>;
    /** Records each document's stage, chunk progress and outcome (its task). */
    documentProgress?: DocumentTaskProgress | undefined;
    /**
     * Staged uploads: how a document's source is read (default: a file on this machine), which sources are staged
     * copies and how they are removed (once the document is stored; kept for a retry when it failed).
     */
    staging?: { read(source: string): Promise<Uint8Array>; isStaged(source: string): boolean; remove(sources: string[]): Promise<void> } | undefined;
  },
): Promise<IngestJobResult> {
  const payload = ingestJobPayloadSchema.parse(job.payload);
  const scope = { knowledgeBaseId: payload.knowledgeBaseId, ownerId: payload.ownerId };
  const embedders = new Map<number, Promise<Embedder>>();
  const embedderFor = (generation: GenerationRecord) => {
    let embedder = embedders.get(generation.id);
    if (!embedder) embedders.set(generation.id, (embedder = dependencies.embedderFor(generation, job.keyId)));
    return embedder;
  };
  const total = payload.documents.length;
  const tracker = dependencies.documentProgress;
  let done = 0;
  context.progress(0, total);
  // One pipeline for all documents: files are read and parsed while earlier ones are embedded; a document counts as
  // done once it is durably written (or failed), so progress never runs ahead of what survives a crash.
  const results = await ingestDocuments(
    payload.documents.map((document) => ({
      documentId: document.documentId, name: document.name, metadata: document.metadata, force: payload.force,
      source: async () => ({ bytes: await (dependencies.staging?.read(document.file) ?? fs.promises.readFile(document.file)), fileName: document.name, format: document.format }),
      onProgress: tracker && ((progress: IngestProgress) => reportStage(tracker, progress)),
    })),
    {
      store: dependencies.store, scope, embedderFor, abortSignal: context.signal,
      onOutcome: (outcome) => {
        if (tracker) recordOutcome(tracker, outcome);
        context.progress(++done, total);
      },
    },
  ).finally(() => tracker?.flush());
  const outcomes: IngestedDocumentOutcome[] = results.map((outcome, index) => {
    const document = payload.documents[index]!;
    if (outcome.ok) {
      const chunkCount = Math.max(0, ...Object.values(outcome.result.chunkCounts));
      return { documentId: document.documentId, name: document.name, status: outcome.result.status, chunkCount, warnings: outcome.result.warnings };
    }
    const { message, code } = describeFailure(outcome.error);
    return { documentId: document.documentId, name: document.name, status: "failed", chunkCount: 0, warnings: [], error: message, errorCode: code };
  });
  await removeStoredUploads(payload, outcomes, dependencies.staging);
  const count = (status: IngestedDocumentOutcome["status"]) => outcomes.filter((outcome) => outcome.status === status).length;
  return { documents: outcomes, added: count("added"), replaced: count("replaced"), unchanged: count("unchanged"), failed: count("failed") };
}

/** The pipeline's stages as task stages (chunking is part of preparing the text, shown as `parsing`). */
function reportStage(tracker: DocumentTaskProgress, progress: IngestProgress): void {
  switch (progress.stage) {
    case "parsing":
    case "chunking":
      tracker.report(progress.documentId, "parsing");
      return;
    case "embedding":
      tracker.report(progress.documentId, "embedding", { done: progress.done, total: progress.total });
      return;
    case "storing":
      tracker.report(progress.documentId, "storing");
      return;
    case "done":
      return; // the outcome follows
  }
}

function recordOutcome(tracker: DocumentTaskProgress, outcome: IngestOutcome): void {
  if (outcome.ok) {
    const chunks = Math.max(0, ...Object.values(outcome.result.chunkCounts));
    tracker.finish(outcome.documentId, { stage: "ready", progress: { done: chunks, total: chunks } });
    return;
  }
  const { message, code } = describeFailure(outcome.error);
  tracker.finish(outcome.documentId, { stage: "failed", error: message, errorCode: code });
}

function describeFailure(error: unknown): { message: string; code: string | undefined } {
  return {
    message: error instanceof Error ? error.message : String(error),
    code: AiplusError.isInstance(error) ? error.code : (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT" ? "file_not_found" : undefined,
  };
}

/**
 * Removes the staged copies of the documents now stored (a failed document's copy stays, for a retry). Without
 * `staging` (library use with files only), a legacy staging folder goes whole.
 */
async function removeStoredUploads(payload: IngestJobPayload, outcomes: IngestedDocumentOutcome[], staging: { isStaged(source: string): boolean; remove(sources: string[]): Promise<void> } | undefined): Promise<void> {
  if (!staging) {
    if (payload.stagingFolder) await fs.promises.rm(payload.stagingFolder, { recursive: true, force: true });
    return;
  }
  const stored = outcomes.flatMap((outcome, index) => {
    const file = payload.documents[index]!.file;
    return outcome.status === "failed" || !staging.isStaged(file) ? [] : [file];
  });
  await staging.remove(stored);
}
