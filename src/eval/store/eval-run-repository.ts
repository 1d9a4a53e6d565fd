import { z } from "zod";
import { affectedRows, type DatabaseExecutor, type EvalRunsTable } from "../../store/index.js";
import type { MetricSummary } from "../types.js";
import { metricSummarySchema, parseJsonColumn, stringifyJsonColumn } from "./json-column.js";

export const evalRunStatuses = ["pending", "running", "completed", "failed", "cancelled"] as const;
export type EvalRunStatus = (typeof evalRunStatuses)[number];
const statusSchema = z.enum(evalRunStatuses);

/**
 * The status a run is shown with: its stored status, except that a `running` run whose executing process is gone
 * (killed, crashed) is `interrupted` until a runner takes it over (a server does at its next poll) or it is resumed.
 */
export type EvalRunDisplayStatus = EvalRunStatus | "interrupted";
export const evalRunDisplayStatuses = [...evalRunStatuses, "interrupted"] as const satisfies readonly EvalRunDisplayStatus[];

/** An eval run as stored: what was asked (`config`), its state and, once finished, its metrics. */
export type EvalRunRecord = {
  id: string;
  task: string;
  model: string;
  /** Scoring convention of log-likelihood runs; undefined for generative runs. */
  scoring: string | undefined;
  /** The run request as JSON (validated by the orchestrator). */
  config: unknown;
  backend: string | undefined;
  status: EvalRunStatus;
  totalItems: number;
  doneItems: number;
  metrics: MetricSummary[] | undefined;
  error: string | undefined;
  keyId: string | undefined;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | undefined;
  /**
   * Set when the run is stored as `running` but the process executing it is gone: who held it and its last heartbeat.
   * Filled in by listing (see `listEvalRuns`), never stored.
   */
  interruption?: { holder: string | undefined; lastHeartbeatAt: number | undefined } | undefined;
};

/** `interrupted` for a run whose holder is gone, else the stored status. */
export function evalRunDisplayStatus(run: Pick<EvalRunRecord, "status" | "interruption">): EvalRunDisplayStatus {
  return run.interruption !== undefined && run.status === "running" ? "interrupted" : run.status;
}

export type NewEvalRun = Pick<EvalRunRecord, "id" | "task" | "model" | "scoring" | "config" | "keyId" | "createdAt">;

export type EvalRunFilter = {
  task?: string | undefined;
  model?: string | undefined;
  status?: EvalRunStatus | undefined;
  keyId?: string | undefined;
  /** Defaults to 100. */
  limit?: number | undefined;
  /** Rows to skip (newest first). Defaults to 0. */
  offset?: number | undefined;
};

/** Eval runs (`eval_runs`). */
export type EvalRunRepository = ReturnType<typeof createEvalRunRepository>;

export function createEvalRunRepository(database: DatabaseExecutor) {
  return {
    async insert(run: NewEvalRun): Promise<void> {
      await database.db
        .insertInto("eval_runs")
        .values({
          id: run.id,
          task: run.task,
          model: run.model,
          scoring: run.scoring ?? null,
          config: JSON.stringify(run.config),
          backend: null,
          status: "pending",
          total_items: 0,
          done_items: 0,
          metrics: null,
          error: null,
          key_id: run.keyId ?? null,
          created_at: run.createdAt,
          updated_at: run.createdAt,
          finished_at: null,
        })
        .execute();
    },

    async get(id: string): Promise<EvalRunRecord | undefined> {
      const row = await database.db.selectFrom("eval_runs").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toEvalRunRecord(row) : undefined;
    },

    /** Newest first. */
    async list(filter: EvalRunFilter = {}): Promise<EvalRunRecord[]> {
      let query = database.db.selectFrom("eval_runs").selectAll();
      if (filter.task !== undefined) query = query.where("task", "=", filter.task);
      if (filter.model !== undefined) query = query.where("model", "=", filter.model);
      if (filter.status !== undefined) query = query.where("status", "=", filter.status);
      if (filter.keyId !== undefined) query = query.where("key_id", "=", filter.keyId);
      const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(filter.limit ?? 100).offset(filter.offset ?? 0).execute();
      return rows.map(toEvalRunRecord);
    },

    /**
     * Moves a run from one of `from` to `to` (compare-and-set); false when it was in another state.
     * Starting and resuming claim a run this way, so two processes never work on the same run.
     */
    async transition(id: string, from: readonly EvalRunStatus[], to: EvalRunStatus, at: number): Promise<boolean> {
      const result = await database.db
        .updateTable("eval_runs")
        .set({ status: to, updated_at: at })
        .where("id", "=", id)
        .where("status", "in", [...from])
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },

    /**
     * Records progress of a running run (and, once known, its item count and backend). False when the run is no
     * longer `running` (cancelled by another process): the executor then stops.
     */
    async recordProgress(id: string, progress: { doneItems: number; totalItems?: number | undefined; backend?: string | undefined; at: number }): Promise<boolean> {
      const changes: Partial<EvalRunsTable> = { done_items: progress.doneItems, updated_at: progress.at };
      if (progress.totalItems !== undefined) changes.total_items = progress.totalItems;
      if (progress.backend !== undefined) changes.backend = progress.backend;
      const result = await database.db.updateTable("eval_runs").set(changes).where("id", "=", id).where("status", "=", "running").executeTakeFirst();
      return affectedRows(result) > 0;
    },

    /** The number of items of a run, known once its dataset was read (shown while it is still pending). */
    async recordTotal(id: string, totalItems: number, at: number): Promise<void> {
      await database.db.updateTable("eval_runs").set({ total_items: totalItems, updated_at: at }).where("id", "=", id).execute();
    },

    /** Final state; only a run that is not finished yet is changed (false otherwise). */
    async finish(id: string, outcome: { status: "completed" | "failed" | "cancelled"; metrics?: MetricSummary[] | undefined; error?: string | undefined; at: number }): Promise<boolean> {
      const result = await database.db
        .updateTable("eval_runs")
        .set({
          status: outcome.status,
          metrics: outcome.metrics ? stringifyJsonColumn(outcome.metrics) : null,
          error: outcome.error ?? null,
          updated_at: outcome.at,
          finished_at: outcome.at,
        })
        .where("id", "=", id)
        .where("status", "in", ["pending", "running"])
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },
  };
}

function toEvalRunRecord(row: EvalRunsTable): EvalRunRecord {
  return {
    id: row.id,
    task: row.task,
    model: row.model,
    scoring: row.scoring ?? undefined,
    config: parseJsonColumn(row.config, z.unknown(), "eval_runs.config"),
    backend: row.backend ?? undefined,
    status: statusSchema.parse(row.status),
    totalItems: Number(row.total_items),
    doneItems: Number(row.done_items),
    metrics:
      row.metrics === null
        ? undefined
        : parseJsonColumn(row.metrics, z.array(metricSummarySchema), "eval_runs.metrics").map((metric) => ({
            name: metric.name,
            value: metric.value,
            standardError: metric.standardError,
            interval: metric.interval,
            count: metric.count,
          })),
    error: row.error ?? undefined,
    keyId: row.key_id ?? undefined,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? undefined : Number(row.finished_at),
  };
}
