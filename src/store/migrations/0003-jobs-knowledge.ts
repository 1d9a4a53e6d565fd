import type { Kysely } from "kysely";

/** Durable background jobs (knowledge-base ingestion and re-indexing, …). Portable DDL (SQLite, PostgreSQL). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("jobs")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("kind", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("subject", "text")
    .addColumn("key_id", "text")
    .addColumn("payload", "text", (column) => column.notNull())
    .addColumn("result", "text")
    .addColumn("error", "text")
    .addColumn("progress_done", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("progress_total", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("holder", "text")
    .addColumn("heartbeat_at", "bigint")
    .addColumn("attempts", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addColumn("started_at", "bigint")
    .addColumn("finished_at", "bigint")
    .execute();
  await db.schema.createIndex("jobs_status").on("jobs").column("status").execute();
  await db.schema.createIndex("jobs_subject_created").on("jobs").columns(["subject", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("jobs").ifExists().execute();
}
