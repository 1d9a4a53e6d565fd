import type { Selectable } from "kysely";
import type { Database, KnowledgeDocumentTasksTable } from "../../store/index.js";
import type { DocumentFormat } from "../types.js";

/**
 * Where a document of an ingestion job stands: waiting for its job, being parsed (and chunked), embedded, written,
 * then `ready`, `failed` (with the reason) or `cancelled`.
 */
export type DocumentStage = "queued" | "parsing" | "embedding" | "storing" | "ready" | "failed" | "cancelled";

/** Stages of a document its job is still working on. */
export const activeDocumentStages: readonly DocumentStage[] = ["queued", "parsing", "embedding", "storing"];

export function isActiveStage(stage: DocumentStage): boolean {
  return activeDocumentStages.includes(stage);
}

/** One document of an ingestion job, as stored (the newest task of a document id is its current state). */
export type DocumentTask = {
  jobId: string;
  documentId: string;
  knowledgeBaseId: string;
  name: string;
  position: number;
  stage: DocumentStage;
  /** Chunks embedded of the document's chunks (0/0 before chunking). */
  progress: { done: number; total: number };
  error: string | undefined;
  errorCode: string | undefined;
  /** The file the job reads: a staged upload or the user's own file (CLI). */
  sourceFile: string;
  format: DocumentFormat | undefined;
  metadata: Record<string, string | number | boolean>;
  force: boolean;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
};

export type NewDocumentTask = Omit<DocumentTask, "stage" | "progress" | "error" | "errorCode" | "createdAt" | "updatedAt">;

/** A change of a task's state. */
export type DocumentTaskUpdate = { stage: DocumentStage; progress?: { done: number; total: number } | undefined; error?: string | undefined; errorCode?: string | undefined };

/** Rows per INSERT (keeps bound parameters far below SQLite's and PostgreSQL's limits). */
const insertBatch = 50;

/** The `knowledge_document_tasks` table (migration 0020). */
export function createDocumentTaskRepository(database: Database) {
  const { db } = database;
  return {
    /**
     * Records the documents of a new job. Older tasks of the same documents are deleted (the new upload supersedes
     * them); returns their source files that no new task reads, for the caller to remove when they are staged copies.
     */
    async insert(tasks: NewDocumentTask[], at: number): Promise<string[]> {
      if (tasks.length === 0) return [];
      return db.transaction().execute(async (transaction) => {
        const knowledgeBaseId = tasks[0]!.knowledgeBaseId;
        const documentIds = [...new Set(tasks.map((task) => task.documentId))];
        const newFiles = new Set(tasks.map((task) => task.sourceFile));
        const superseded: string[] = [];
        for (let start = 0; start < documentIds.length; start += insertBatch) {
          const batch = documentIds.slice(start, start + insertBatch);
          const older = await transaction
            .selectFrom("knowledge_document_tasks")
            .select(["source_file"])
            .where("knowledge_base_id", "=", knowledgeBaseId)
            .where("document_id", "in", batch)
            .execute();
          for (const row of older) if (!newFiles.has(row.source_file)) superseded.push(row.source_file);
          await transaction.deleteFrom("knowledge_document_tasks").where("knowledge_base_id", "=", knowledgeBaseId).where("document_id", "in", batch).execute();
        }
        for (let start = 0; start < tasks.length; start += insertBatch) {
          await transaction
            .insertInto("knowledge_document_tasks")
            .values(
              tasks.slice(start, start + insertBatch).map((task) => ({
                job_id: task.jobId, document_id: task.documentId, knowledge_base_id: task.knowledgeBaseId, name: task.name, position: task.position,
                stage: "queued", progress_done: 0, progress_total: 0, error: null, error_code: null, source_file: task.sourceFile, format: task.format ?? null,
                metadata: JSON.stringify(task.metadata), force: task.force ? 1 : 0, created_at: at, updated_at: at,
              })),
            )
            .execute();
        }
        return [...new Set(superseded)];
      });
    },

    /** Moves one document of a job to a stage; false when the task no longer exists (superseded or deleted). */
    async update(jobId: string, documentId: string, update: DocumentTaskUpdate, at: number): Promise<boolean> {
      const result = await db
        .updateTable("knowledge_document_tasks")
        .set({
          stage: update.stage, updated_at: at, error: update.error ?? null, error_code: update.errorCode ?? null,
          ...(update.progress ? { progress_done: update.progress.done, progress_total: update.progress.total } : {}),
        })
        .where("job_id", "=", jobId)
        .where("document_id", "=", documentId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Moves the documents of a job its job has not finished (an active stage) to `update`'s stage. */
    async updateUnfinished(jobId: string, update: DocumentTaskUpdate, at: number): Promise<void> {
      await db
        .updateTable("knowledge_document_tasks")
        .set({ stage: update.stage, updated_at: at, error: update.error ?? null, error_code: update.errorCode ?? null })
        .where("job_id", "=", jobId)
        .where("stage", "in", [...activeDocumentStages])
        .execute();
    },

    /** The newest task of every document of a knowledge base. */
    async listOfKnowledgeBase(knowledgeBaseId: string): Promise<DocumentTask[]> {
      const rows = await db
        .selectFrom("knowledge_document_tasks")
        .selectAll()
        .where("knowledge_base_id", "=", knowledgeBaseId)
        .orderBy("created_at", "desc")
        .orderBy("job_id")
        .execute();
      const newest = new Map<string, DocumentTask>();
      for (const row of rows) if (!newest.has(row.document_id)) newest.set(row.document_id, toTask(row));
      return [...newest.values()];
    },

    async listOfJob(jobId: string): Promise<DocumentTask[]> {
      const rows = await db.selectFrom("knowledge_document_tasks").selectAll().where("job_id", "=", jobId).orderBy("position").execute();
      return rows.map(toTask);
    },

    /** Deletes the tasks of a document; returns them (their staged files are the caller's to remove). */
    async remove(knowledgeBaseId: string, documentId: string): Promise<DocumentTask[]> {
      const rows = await db.selectFrom("knowledge_document_tasks").selectAll().where("knowledge_base_id", "=", knowledgeBaseId).where("document_id", "=", documentId).execute();
      await db.deleteFrom("knowledge_document_tasks").where("knowledge_base_id", "=", knowledgeBaseId).where("document_id", "=", documentId).execute();
      return rows.map(toTask);
    },

    /** Deletes every task of a knowledge base; returns them. */
    async removeKnowledgeBase(knowledgeBaseId: string): Promise<DocumentTask[]> {
      const rows = await db.selectFrom("knowledge_document_tasks").selectAll().where("knowledge_base_id", "=", knowledgeBaseId).execute();
      await db.deleteFrom("knowledge_document_tasks").where("knowledge_base_id", "=", knowledgeBaseId).execute();
      return rows.map(toTask);
    },
  };
}

export type DocumentTaskRepository = ReturnType<typeof createDocumentTaskRepository>;

function toTask(row: Selectable<KnowledgeDocumentTasksTable>): DocumentTask {
  return {
    jobId: row.job_id, documentId: row.document_id, knowledgeBaseId: row.knowledge_base_id, name: row.name, position: row.position,
    stage: row.stage as DocumentStage, progress: { done: row.progress_done, total: row.progress_total },
    error: row.error ?? undefined, errorCode: row.error_code ?? undefined, sourceFile: row.source_file, format: (row.format ?? undefined) as DocumentFormat | undefined,
    metadata: JSON.parse(row.metadata) as Record<string, string | number | boolean>, force: row.force === 1,
    createdAt: row.created_at, updatedAt: row.updated_at,
  };
}
