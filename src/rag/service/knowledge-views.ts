import type { JobRecord } from "../../jobs/index.js";
import type { DocumentFormat } from "../types.js";
import type { DocumentStage } from "./document-tasks.js";

/** A knowledge base as the CLI and the API show it. */
export type KnowledgeBaseView = {
  id: string;
  name: string;
  description: string | undefined;
  ownerId: string;
  /** `unusable` when the serving index's embedding model was removed (see `unusableReason`). */
  status: "ready" | "reindexing" | "unusable";
  /** Why it is unusable (status `unusable`). */
  unusableReason: string | undefined;
  /** Public name of the embedding model of the serving index. */
  embeddingModel: string | undefined;
  dimensions: number | undefined;
  chunkSize: number | undefined;
  chunkOverlap: number | undefined;
  documentCount: number;
  chunkCount: number;
  /** A re-index in progress: the model being switched to (the old index serves meanwhile). */
  reindexing: { embeddingModel: string; generationId: number } | undefined;
  createdAt: string;
};

/** Where a document stands (`stage` says more). */
export type DocumentStatus = "ready" | "processing" | "failed" | "cancelled";

/** A document of a knowledge base, or one still being processed or that failed. */
export type DocumentView = {
  id: string;
  name: string;
  status: DocumentStatus;
  /** Finer than `status`: `queued`, `parsing`, `embedding`, `storing` while processing; else `ready`, `failed`, `cancelled`. */
  stage: DocumentStage;
  /** Chunks embedded of its chunks while embedding (and all of them once ready); undefined before chunking. */
  progress: { done: number; total: number } | undefined;
  format: DocumentFormat | undefined;
  title: string | undefined;
  chunkCount: number;
  characterCount: number | undefined;
  contentHash: string | undefined;
  metadata: Record<string, string | number | boolean>;
  /** Why it failed (status `failed`), or why its latest upload failed while the stored version stays `ready`. */
  error: string | undefined;
  /** Machine-readable reason, e.g. `corrupt_document`, `unsupported_document`, `job_failed`. */
  errorCode: string | undefined;
  /** A failed or cancelled upload whose file is still kept: `retryDocument` ingests it again. */
  retryable: boolean;
  /** The job that processes or failed it. */
  jobId: string | undefined;
  createdAt: string | undefined;
  updatedAt: string | undefined;
};

/** One document of an ingestion job's result. */
export type IngestedDocumentOutcome = {
  documentId: string;
  name: string;
  status: "added" | "replaced" | "unchanged" | "failed";
  chunkCount: number;
  error?: string | undefined;
  /** e.g. `corrupt_document`, `unsupported_document`. */
  errorCode?: string | undefined;
  warnings: string[];
};

/** Result of an ingestion job. */
export type IngestJobResult = { documents: IngestedDocumentOutcome[]; added: number; replaced: number; unchanged: number; failed: number };

/** A job as shown to users. */
export type JobView = Pick<JobRecord, "id" | "kind" | "status" | "subject" | "progress" | "error" | "result" | "attempts"> & {
  createdAt: string;
  startedAt: string | undefined;
  finishedAt: string | undefined;
};

export function toJobView(job: JobRecord): JobView {
  return {
    id: job.id, kind: job.kind, status: job.status, subject: job.subject, progress: job.progress, error: job.error, result: job.result, attempts: job.attempts,
    createdAt: new Date(job.createdAt).toISOString(),
    startedAt: job.startedAt === undefined ? undefined : new Date(job.startedAt).toISOString(),
    finishedAt: job.finishedAt === undefined ? undefined : new Date(job.finishedAt).toISOString(),
  };
}
