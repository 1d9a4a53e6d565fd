import type { Selectable } from "kysely";
import type { Database, ModelPullsTable } from "../store/index.js";

/** Live figures of one pull (the `model_pulls` row of its job). */
export type PullProgressRecord = {
  bytesDone: number;
  bytesTotal: number | undefined;
  rateBytesPerSecond: number | undefined;
  resumedFrom: number;
  errorCode: string | undefined;
  updatedAt: number;
};

/** The `model_pulls` table: one row per pull job, rewritten as bytes arrive (upserts, so a retried job reuses its row). */
export function createPullProgressRepository(database: Database) {
  const { db } = database;
  return {
    async write(id: string, progress: PullProgressRecord): Promise<void> {
      const values = {
        bytes_done: progress.bytesDone,
        bytes_total: progress.bytesTotal ?? null,
        rate_bytes_per_second: progress.rateBytesPerSecond === undefined ? null : Math.round(progress.rateBytesPerSecond),
        resumed_from: progress.resumedFrom,
        error_code: progress.errorCode ?? null,
        updated_at: progress.updatedAt,
      };
      await db
        .insertInto("model_pulls")
        .values({ id, ...values })
        .onConflict((conflict) => conflict.column("id").doUpdateSet(values))
        .execute();
    },

    /** Clears the rate and the failure (a stopped or re-queued pull); bytes stay as they were. */
    async stop(id: string, at: number, errorCode: string | undefined): Promise<void> {
      const changes = { rate_bytes_per_second: null, error_code: errorCode ?? null, updated_at: at };
      await db
        .insertInto("model_pulls")
        .values({ id, bytes_done: 0, bytes_total: null, resumed_from: 0, ...changes })
        .onConflict((conflict) => conflict.column("id").doUpdateSet(changes))
        .execute();
    },

    /** Rows of these pulls, by id (one query for a whole list). */
    async getMany(ids: readonly string[]): Promise<Map<string, PullProgressRecord>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom("model_pulls").selectAll().where("id", "in", [...ids]).execute();
      return new Map(rows.map((row) => [row.id, toRecord(row)]));
    },
  };
}

export type PullProgressRepository = ReturnType<typeof createPullProgressRepository>;

function toRecord(row: Selectable<ModelPullsTable>): PullProgressRecord {
  return {
    bytesDone: Number(row.bytes_done),
    bytesTotal: row.bytes_total === null ? undefined : Number(row.bytes_total),
    rateBytesPerSecond: row.rate_bytes_per_second === null ? undefined : Number(row.rate_bytes_per_second),
    resumedFrom: Number(row.resumed_from),
    errorCode: row.error_code ?? undefined,
    updatedAt: Number(row.updated_at),
  };
}
