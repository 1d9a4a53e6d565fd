import { isFinished, type JobRecord, type JobRunner } from "../../jobs/index.js";
import { ConflictError, NotFoundError } from "../../spec/index.js";
import type { KnowledgeStore } from "../knowledge-store.js";
import type { KnowledgeBaseScope } from "../types.js";
import type { DocumentCatalog } from "./document-catalog.js";
import type { DocumentTask, DocumentTaskRepository } from "./document-tasks.js";
import { ingestJobKind, ingestJobPayloadSchema, type IngestJobPayload } from "./ingest-job.js";
import type { DocumentView } from "./knowledge-views.js";
import { reindexJobKind } from "./reindex-job.js";
import type { StagedUploads } from "./staged-uploads.js";

/** What {@link DocumentUploads} works with. */
export type DocumentUploadsDependencies = {
  store: KnowledgeStore;
  jobs: JobRunner;
  tasks: DocumentTaskRepository;
  catalog: DocumentCatalog;
  /** Where uploads are staged (the database): copies the service owns (and removes). */
  staging: StagedUploads;
  now: () => number;
  generateId: () => string;
};

/**
 * The life of uploaded documents between their upload and their storage: ingestion jobs with one task per document,
 * cancelling a document or a whole job, retrying a failed or cancelled upload from its kept copy, and removing a
 * document whatever its state (with its staged copy). Staged copies live in the database, so any instance runs the job.
 */
export class DocumentUploads {
  constructor(private readonly dependencies: DocumentUploadsDependencies) {}

  /** Whether a document's source is a staged upload copy (not a user's own file, as the CLI adds). */
  isStaged(file: string): boolean {
    return this.dependencies.staging.isStaged(file);
  }

  /** Records one task per document, then enqueues the ingestion job (tasks first, so the job always finds them). */
  async enqueue(payload: IngestJobPayload, keyId: string | undefined, runHere: boolean | undefined): Promise<JobRecord> {
    const { jobs, tasks, generateId, now } = this.dependencies;
    const id = generateId();
    const superseded = await tasks.insert(
      payload.documents.map((document, position) => ({
        jobId: id, documentId: document.documentId, knowledgeBaseId: payload.knowledgeBaseId, name: document.name, position, sourceFile: document.file,
        format: document.format, metadata: document.metadata ?? {}, force: payload.force === true,
      })),
      now(),
    );
    await this.removeStagedFiles(superseded);
    try {
      return await jobs.enqueue({ id, kind: ingestJobKind, payload, subject: payload.knowledgeBaseId, keyId, runHere, progressTotal: payload.documents.length });
    } catch (error) {
      await tasks.updateUnfinished(id, { stage: "failed", error: `the ingestion job could not be queued: ${(error as Error).message}`, errorCode: "job_failed" }, now());
      throw error;
    }
  }

  /**
   * Deletes a document whatever its state: a stored one with its chunks in every generation, a queued or processing
   * one taken out of its job (the job is cancelled and its other documents queued again in a new job), a failed or
   * cancelled upload with its kept file. False when there is no such document.
   */
  async remove(scope: KnowledgeBaseScope, reference: string): Promise<boolean> {
    const state = await this.dependencies.catalog.find(scope, reference);
    const documentId = state?.id ?? reference;
    let found = await this.takeOutOfJobs(scope, documentId);
    if (await this.dependencies.store.deleteDocument(scope, documentId)) found = true;
    const tasks = await this.dependencies.tasks.remove(scope.knowledgeBaseId, documentId);
    await this.removeStagedFiles(tasks.map((task) => task.sourceFile));
    return found || state !== undefined;
  }

  /** Stops a queued or processing document (its job goes on with the others); its staged copy is kept for a retry. */
  async cancel(scope: KnowledgeBaseScope, reference: string): Promise<DocumentView> {
    const state = await this.dependencies.catalog.find(scope, reference);
    if (!state) throw documentNotFound(reference);
    if (state.status !== "processing" || !state.task || !(await this.takeOutOfJobs(scope, state.id))) {
      throw new ConflictError({ message: `document ${state.name} is ${state.status === "processing" ? "already finished" : state.status}: only a queued or processing document can be cancelled`, code: "document_not_processing" });
    }
    await this.dependencies.tasks.update(state.task.jobId, state.id, { stage: "cancelled" }, this.dependencies.now());
    return this.view(scope, state.id);
  }

  /** Ingests a failed or cancelled upload again from its kept copy, in a new job. */
  async retry(scope: KnowledgeBaseScope, reference: string): Promise<JobRecord> {
    const state = await this.dependencies.catalog.find(scope, reference);
    if (!state) throw documentNotFound(reference);
    const [view] = await this.dependencies.catalog.detail(scope, [state]);
    const task = state.task;
    if (!view!.retryable || !task) {
      const why = state.status === "processing" ? "it is still processing" : task && !(await this.dependencies.staging.available([task.sourceFile])).has(task.sourceFile) ? "its uploaded file is no longer kept; upload it again" : `it is ${state.status}`;
      throw new ConflictError({ message: `document ${state.name} cannot be retried: ${why}; only a failed or cancelled upload can`, code: "document_not_retryable" });
    }
    const payload: IngestJobPayload = {
      knowledgeBaseId: scope.knowledgeBaseId, ownerId: scope.ownerId, force: task.force || undefined,
      documents: [{ documentId: task.documentId, name: task.name, file: task.sourceFile, format: task.format, metadata: task.metadata }],
    };
    const job = await this.dependencies.jobs.get(task.jobId);
    return this.enqueue(payload, job?.keyId, undefined);
  }

  /**
   * Cancels a job of the knowledge base: an ingestion job's unfinished documents become `cancelled` (retryable;
   * documents it stored stay), a re-index drops the index it was building (the serving one stays). A finished job is
   * returned unchanged.
   */
  async cancelJob(scope: KnowledgeBaseScope, job: JobRecord): Promise<JobRecord> {
    if (isFinished(job.status)) return job;
    const cancelled = await this.dependencies.jobs.cancel(job.id);
    if (cancelled.status !== "cancelled") return cancelled; // it finished meanwhile
    if (job.kind === ingestJobKind) {
      const now = this.dependencies.now();
      await this.dependencies.tasks.updateUnfinished(job.id, { stage: "cancelled" }, now);
      const stored = (await this.dependencies.tasks.listOfJob(job.id)).filter((task) => task.stage === "ready");
      await this.removeStagedFiles(stored.map((task) => task.sourceFile));
    } else if (job.kind === reindexJobKind) {
      for (const generation of await this.dependencies.store.listGenerations(scope)) {
        if (generation.status === "building") await this.dependencies.store.dropGeneration(scope, generation.id);
      }
    }
    return cancelled;
  }

  /** Forgets every upload of a deleted knowledge base and removes their staged copies. */
  async removeAll(knowledgeBaseId: string): Promise<void> {
    const tasks: DocumentTask[] = await this.dependencies.tasks.removeKnowledgeBase(knowledgeBaseId);
    await this.removeStagedFiles(tasks.map((task) => task.sourceFile));
  }

  private async view(scope: KnowledgeBaseScope, documentId: string): Promise<DocumentView> {
    const state = await this.dependencies.catalog.find(scope, documentId);
    if (!state) throw documentNotFound(documentId);
    return (await this.dependencies.catalog.detail(scope, [state]))[0]!;
  }

  /**
   * Takes a document out of the unfinished ingestion jobs holding it: each is cancelled and its other documents are
   * queued again in a new job. True when a job held it (and had not finished meanwhile).
   */
  private async takeOutOfJobs(scope: KnowledgeBaseScope, documentId: string): Promise<boolean> {
    const { jobs } = this.dependencies;
    let found = false;
    for (const job of await jobs.list({ subject: scope.knowledgeBaseId, statuses: ["queued", "running"] })) {
      if (job.kind !== ingestJobKind) continue;
      const payload = ingestJobPayloadSchema.parse(job.payload);
      if (!payload.documents.some((document) => document.documentId === documentId)) continue;
      if ((await jobs.cancel(job.id)).status !== "cancelled") continue; // it finished meanwhile: stored or failed
      found = true;
      const rest = payload.documents.filter((document) => document.documentId !== documentId);
      if (rest.length > 0) await this.enqueue({ ...payload, documents: rest }, job.keyId, undefined);
    }
    return found;
  }

  /** Removes the staged copies among `files` (never a user's own file). */
  private async removeStagedFiles(files: string[]): Promise<void> {
    await this.dependencies.staging.remove(files);
  }
}

function documentNotFound(reference: string): NotFoundError {
  return new NotFoundError({ message: `document ${reference} not found`, code: "document_not_found" });
}
