import type { Selectable } from "kysely";
import type { Database, JobsTable } from "../store/index.js";
import type { JobRecord, JobStatus } from "./types.js";

/** A new job row. */
export type JobInsert = {
  id: string;
  kind: string;
  subject?: string | undefined;
  keyId?: string | undefined;
  payload: unknown;
  /** Insert already claimed by this holder (status `running`), so no other runner takes it first. */
  holder?: string | undefined;
  progressTotal?: number | undefined;
  at: number;
};

/** A queued or running job as a runner sees it when it looks for work. */
export type JobCandidate = {
  id: string;
  kind: string;
  status: "queued" | "running";
  holder: string | null;
  heartbeatAt: number | null;
  subject: string | null;
  /** Set on a queued job: a retry waiting out its backoff (the last start's error). */
  error: string | null;
  attempts: number;
  updatedAt: number;
};

/** The jobs table. Every state change is one conditional UPDATE, so concurrent runners never both win. */
export function createJobRepository(database: Database) {
  const { db } = database;
  return {
    async insert(input: JobInsert): Promise<JobRecord> {
      await db
        .insertInto("jobs")
        .values({
          id: input.id, kind: input.kind, status: input.holder ? "running" : "queued", subject: input.subject ?? null, key_id: input.keyId ?? null,
          payload: JSON.stringify(input.payload ?? null), result: null, error: null, progress_done: 0, progress_total: input.progressTotal ?? 0, holder: input.holder ?? null,
          heartbeat_at: input.holder ? input.at : null, attempts: input.holder ? 1 : 0, created_at: input.at, updated_at: input.at,
          started_at: input.holder ? input.at : null, finished_at: null,
        })
        .execute();
      return (await this.get(input.id))!;
    },

    async get(id: string): Promise<JobRecord | undefined> {
      const row = await db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toJob(row);
    },

    /** Who holds a job, as a queue delivery needs it to decide between claiming, taking over and waiting. */
    async holding(id: string): Promise<{ kind: string; status: JobStatus; holder: string | undefined; heartbeatAt: number | undefined } | undefined> {
      const row = await db.selectFrom("jobs").select(["kind", "status", "holder", "heartbeat_at"]).where("id", "=", id).executeTakeFirst();
      return row && { kind: row.kind, status: row.status as JobStatus, holder: row.holder ?? undefined, heartbeatAt: row.heartbeat_at === null ? undefined : Number(row.heartbeat_at) };
    },

    async list(filter: { subject?: string | undefined; statuses?: JobStatus[] | undefined; limit?: number | undefined } = {}): Promise<JobRecord[]> {
      let query = db.selectFrom("jobs").selectAll();
      if (filter.subject !== undefined) query = query.where("subject", "=", filter.subject);
      if (filter.statuses) query = query.where("status", "in", filter.statuses);
      const rows = await query.orderBy("created_at", "desc").orderBy("id").limit(filter.limit ?? 100).execute();
      return rows.map(toJob);
    },

    /**
     * Queued jobs and running ones with their holder and heartbeat (to judge liveness), oldest first. A queued job
     * with an `error` is a retry waiting out its backoff (see retry-policy.ts).
     */
    async candidates(kinds: string[]): Promise<JobCandidate[]> {
      if (kinds.length === 0) return [];
      const rows = await db
        .selectFrom("jobs")
        .select(["id", "kind", "status", "holder", "heartbeat_at", "subject", "error", "attempts", "updated_at"])
        .where("status", "in", ["queued", "running"])
        .where("kind", "in", kinds)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map((row) => ({
        id: row.id, kind: row.kind, status: row.status as "queued" | "running", holder: row.holder, heartbeatAt: row.heartbeat_at === null ? null : Number(row.heartbeat_at),
        subject: row.subject, error: row.error, attempts: row.attempts, updatedAt: Number(row.updated_at),
      }));
    },

    /**
     * Takes a queued job, or a running one still held by `previousHolder`; true when this call won. The error of the
     * previous start (a retry's) is cleared.
     */
    async claim(id: string, holder: string, at: number, previousHolder: string | null): Promise<boolean> {
      let query = db
        .updateTable("jobs")
        .set((eb) => ({
          status: "running", holder, heartbeat_at: at, updated_at: at, error: null, started_at: eb.fn.coalesce("started_at", eb.val(at)), attempts: eb("attempts", "+", 1),
        }))
        .where("id", "=", id);
      query = previousHolder === null ? query.where("status", "=", "queued") : query.where("status", "=", "running").where("holder", "=", previousHolder);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Refreshes the heartbeat and writes progress; false when the job is no longer held by `holder` (cancelled, taken). */
    async heartbeat(id: string, holder: string, at: number, progress?: { done: number; total: number }): Promise<boolean> {
      const result = await db
        .updateTable("jobs")
        .set({ heartbeat_at: at, updated_at: at, ...(progress ? { progress_done: progress.done, progress_total: progress.total } : {}) })
        .where("id", "=", id)
        .where("status", "=", "running")
        .where("holder", "=", holder)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Ends a held job. */
    async finish(id: string, holder: string, at: number, outcome: { status: "completed" | "failed"; result?: unknown; error?: string | undefined }): Promise<boolean> {
      const result = await db
        .updateTable("jobs")
        .set({
          status: outcome.status, result: outcome.result === undefined ? null : JSON.stringify(outcome.result), error: outcome.error ?? null,
          holder: null, updated_at: at, finished_at: at,
        })
        .where("id", "=", id)
        .where("status", "=", "running")
        .where("holder", "=", holder)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Rewrites the result of a completed job (e.g. marks a failed document of it as removed); false when not completed. */
    async replaceResult(id: string, result: unknown, at: number): Promise<boolean> {
      const updated = await db.updateTable("jobs").set({ result: JSON.stringify(result), updated_at: at }).where("id", "=", id).where("status", "=", "completed").executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /** Queues a held job that failed again, keeping its error, for a retry after its backoff; false when not held. */
    async retryLater(id: string, holder: string, at: number, error: string): Promise<boolean> {
      const result = await db
        .updateTable("jobs")
        .set({ status: "queued", error, holder: null, heartbeat_at: null, updated_at: at })
        .where("id", "=", id)
        .where("status", "=", "running")
        .where("holder", "=", holder)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Gives a held job back to the queue (the runner is stopping). */
    async release(id: string, holder: string, at: number): Promise<void> {
      await db.updateTable("jobs").set({ status: "queued", holder: null, updated_at: at }).where("id", "=", id).where("status", "=", "running").where("holder", "=", holder).execute();
    },

    /** Cancels a queued or running job (and a failed one with `includeFailed`); true when this call cancelled it. */
    async cancel(id: string, at: number, options: { includeFailed?: boolean | undefined } = {}): Promise<boolean> {
      const result = await db
        .updateTable("jobs")
        .set({ status: "cancelled", holder: null, updated_at: at, finished_at: at })
        .where("id", "=", id)
        .where("status", "in", options.includeFailed ? ["queued", "running", "failed"] : ["queued", "running"])
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Queues a failed or cancelled job again (its error, result and holder cleared); true when this call did. */
    async requeue(id: string, at: number): Promise<boolean> {
      const result = await db
        .updateTable("jobs")
        .set({ status: "queued", error: null, result: null, holder: null, heartbeat_at: null, updated_at: at, finished_at: null })
        .where("id", "=", id)
        .where("status", "in", ["failed", "cancelled"])
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type JobRepository = ReturnType<typeof createJobRepository>;

function toJob(row: Selectable<JobsTable>): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as JobStatus,
    subject: row.subject ?? undefined,
    keyId: row.key_id ?? undefined,
    payload: JSON.parse(row.payload) as unknown,
    result: row.result === null ? undefined : (JSON.parse(row.result) as unknown),
    error: row.error ?? undefined,
    progress: { done: row.progress_done, total: row.progress_total },
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  };
}
