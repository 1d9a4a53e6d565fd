import type { Kysely } from "kysely";

/**
 * Per-document state of knowledge-base ingestion (one row per document of an ingestion job): its stage (`queued`,
 * `parsing`, `embedding`, `storing`, `ready`, `failed`, `cancelled`), chunk progress, the failure's reason, and the
 * file the job reads, kept for a retry while the document failed or was cancelled. Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("knowledge_document_tasks")
    .addColumn("job_id", "text", (column) => column.notNull())
    .addColumn("document_id", "text", (column) => column.notNull())
    .addColumn("knowledge_base_id", "text", (column) => column.notNull())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("position", "integer", (column) => column.notNull())
    .addColumn("stage", "text", (column) => column.notNull())
    .addColumn("progress_done", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("progress_total", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("error", "text")
    .addColumn("error_code", "text")
    .addColumn("source_file", "text", (column) => column.notNull())
    .addColumn("format", "text")
    .addColumn("metadata", "text", (column) => column.notNull())
    .addColumn("force", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("knowledge_document_tasks_pk", ["job_id", "document_id"])
    .execute();
  await db.schema.createIndex("knowledge_document_tasks_document").on("knowledge_document_tasks").columns(["knowledge_base_id", "document_id", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("knowledge_document_tasks").ifExists().execute();
}
