import type { JobRecord, JobRunner } from "../../jobs/index.js";
import type { DocumentRecord, KnowledgeStore } from "../knowledge-store.js";
import type { KnowledgeBaseScope } from "../types.js";
import { isActiveStage, type DocumentStage, type DocumentTask, type DocumentTaskRepository } from "./document-tasks.js";
import type { DocumentStatus, DocumentView, IngestJobResult } from "./knowledge-views.js";

/** Which documents of a knowledge base to list, and which page. */
export type DocumentListFilter = {
  status?: DocumentStatus | undefined;
  /** Case-insensitive part of the name or id. */
  search?: string | undefined;
  offset?: number | undefined;
  /** Default: all. */
  limit?: number | undefined;
};

/** A page of documents, the number matching the filter, and how many documents have each status (unfiltered). */
export type DocumentPage = { documents: DocumentView[]; total: number; counts: Record<DocumentStatus, number> };

/** A document's current state: its stored version, its newest upload task (reconciled with the task's job), or both. */
export type DocumentState = {
  id: string;
  name: string;
  status: DocumentStatus;
  stored: DocumentRecord | undefined;
  task: DocumentTask | undefined;
};

/**
 * The documents of a knowledge base as people see them: stored documents are `ready`, uploads still in a job are
 * `processing` (at their stage), uploads that failed or were cancelled (and are not stored) keep that status until
 * they are retried or deleted. Lists are sorted by name, then id; pages are cut after filtering.
 */
export class DocumentCatalog {
  constructor(
    private readonly dependencies: {
      store: KnowledgeStore;
      tasks: DocumentTaskRepository;
      jobs: Pick<JobRunner, "get">;
      /** Which document sources can still be read (a failed or cancelled upload is retryable while its copy is kept). */
      sourcesAvailable: (sources: string[]) => Promise<Set<string>>;
    },
  ) {}

  /** Every document of a knowledge base with its state, sorted by name then id. */
  async states(scope: KnowledgeBaseScope): Promise<DocumentState[]> {
    const [stored, tasks] = await Promise.all([this.dependencies.store.listDocuments(scope), this.dependencies.tasks.listOfKnowledgeBase(scope.knowledgeBaseId)]);
    const reconciled = await this.reconcile(tasks);
    const states = new Map<string, DocumentState>();
    for (const record of stored) states.set(record.id, { id: record.id, name: record.name, status: "ready", stored: record, task: undefined });
    for (const task of reconciled) {
      const existing = states.get(task.documentId);
      if (isActiveStage(task.stage)) states.set(task.documentId, { id: task.documentId, name: task.name, status: "processing", stored: existing?.stored, task });
      else if (existing) existing.task = task;
      else if (task.stage === "failed" || task.stage === "cancelled") states.set(task.documentId, { id: task.documentId, name: task.name, status: task.stage, stored: undefined, task });
      // a ready task without a stored document: it was deleted since
    }
    return [...states.values()].sort((left, right) => compare(left.name, right.name) || compare(left.id, right.id));
  }

  /** A page of documents matching `filter`, detailed. */
  async page(scope: KnowledgeBaseScope, filter: DocumentListFilter = {}): Promise<DocumentPage> {
    const states = await this.states(scope);
    const counts: Record<DocumentStatus, number> = { ready: 0, processing: 0, failed: 0, cancelled: 0 };
    for (const state of states) counts[state.status] += 1;
    const search = filter.search?.toLowerCase();
    const matching = states.filter(
      (state) => (filter.status === undefined || state.status === filter.status) && (!search || state.name.toLowerCase().includes(search) || state.id.toLowerCase().includes(search)),
    );
    const offset = filter.offset ?? 0;
    const slice = matching.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit);
    return { documents: await this.detail(scope, slice), total: matching.length, counts };
  }

  /** The state of one document by id, else by name (a unique stored name first, then uploads). */
  async find(scope: KnowledgeBaseScope, reference: string): Promise<DocumentState | undefined> {
    const states = await this.states(scope);
    return (
      states.find((state) => state.id === reference) ??
      unique(states.filter((state) => state.stored?.name === reference)) ??
      unique(states.filter((state) => state.name === reference))
    );
  }

  /** Views of documents with their chunk counts in the serving index. */
  async detail(scope: KnowledgeBaseScope, states: DocumentState[]): Promise<DocumentView[]> {
    const knowledgeBase = await this.dependencies.store.getKnowledgeBase(scope);
    const active = knowledgeBase?.activeGenerationId;
    const unsettled = states.map((state) => unsettledTask(state.task)).filter((task) => task !== undefined);
    const available = unsettled.length > 0 ? await this.dependencies.sourcesAvailable(unsettled.map((task) => task.sourceFile)) : new Set<string>();
    return Promise.all(
      states.map(async (state) => {
        const chunkCount = state.stored && active !== undefined ? ((await this.dependencies.store.countChunks(scope, state.id)).get(active) ?? 0) : 0;
        return toView(state, chunkCount, available);
      }),
    );
  }

  /**
   * Tasks whose job is no longer working on them take their job's word: a job queued again (its runner stopped)
   * queues them, a cancelled job cancels them, a failed job fails them with its error, a completed one gives each
   * its outcome (when the job's last writes were lost).
   */
  private async reconcile(tasks: DocumentTask[]): Promise<DocumentTask[]> {
    const jobs = new Map<string, Promise<JobRecord | undefined>>();
    const jobOf = (id: string) => {
      let job = jobs.get(id);
      if (!job) jobs.set(id, (job = this.dependencies.jobs.get(id)));
      return job;
    };
    return Promise.all(
      tasks.map(async (task) => {
        if (!isActiveStage(task.stage)) return task;
        const job = await jobOf(task.jobId);
        if (!job) return task; // being enqueued right now
        switch (job.status) {
          case "running":
            return task;
          case "queued":
            return { ...task, stage: "queued" as const };
          case "cancelled":
            return { ...task, stage: "cancelled" as const };
          case "failed":
            return { ...task, stage: "failed" as const, error: job.error ?? "its ingestion job failed", errorCode: "job_failed" };
          case "completed": {
            const outcome = (job.result as IngestJobResult | undefined)?.documents.find((candidate) => candidate.documentId === task.documentId);
            if (!outcome || outcome.status === "failed") {
              return { ...task, stage: "failed" as const, error: outcome?.error ?? "its ingestion job ended without it", errorCode: outcome?.errorCode };
            }
            return { ...task, stage: "ready" as const, progress: { done: outcome.chunkCount, total: outcome.chunkCount } };
          }
        }
      }),
    );
  }
}

/** A task whose upload failed or was cancelled (its copy kept for a retry). */
function unsettledTask(task: DocumentTask | undefined): DocumentTask | undefined {
  return task && (task.stage === "failed" || task.stage === "cancelled") ? task : undefined;
}

function toView(state: DocumentState, chunkCount: number, availableSources: Set<string>): DocumentView {
  const { stored, task } = state;
  const stage: DocumentStage = state.status === "processing" ? task!.stage : state.status;
  const unsettled = unsettledTask(task);
  const error = state.status === "ready" && unsettled?.stage === "failed" ? `its latest upload failed: ${unsettled.error ?? "unknown error"}` : state.status === "failed" ? task?.error : undefined;
  return {
    id: state.id, name: state.name, status: state.status, stage,
    progress: state.status === "ready" ? { done: chunkCount, total: chunkCount } : task && task.progress.total > 0 ? task.progress : undefined,
    format: stored?.format ?? task?.format, title: stored?.title, chunkCount, characterCount: stored?.characterCount, contentHash: stored?.contentHash,
    metadata: stored?.metadata ?? task?.metadata ?? {}, error, errorCode: error === undefined ? undefined : unsettled?.errorCode ?? task?.errorCode,
    retryable: unsettled !== undefined && availableSources.has(unsettled.sourceFile), jobId: task?.jobId,
    createdAt: stored?.createdAt ?? (task && new Date(task.createdAt).toISOString()),
    updatedAt: state.status === "ready" && stored ? stored.updatedAt : task && new Date(task.updatedAt).toISOString(),
  };
}

function unique<T>(candidates: T[]): T | undefined {
  return candidates.length === 1 ? candidates[0] : undefined;
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
