import type { Kysely } from "kysely";

/**
 * Live figures of model downloads run as jobs (`model.pull`; status, payload and error live in `jobs`): bytes so far
 * and in all (bigint: model files pass 2 GiB), the current rate, the byte a retry resumed from, and the failure's code.
 * `id` is the job's id. Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("model_pulls")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("bytes_done", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("bytes_total", "bigint")
    .addColumn("rate_bytes_per_second", "bigint")
    .addColumn("resumed_from", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("error_code", "text")
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("model_pulls").ifExists().execute();
}
