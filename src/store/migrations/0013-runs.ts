import type { Kysely } from "kysely";

/**
 * Durable response runs: `run_events` (the streamed events of a response, numbered, replayed by
 * `GET /v1/responses/{id}?stream=true&starting_after=N`), `run_steps` (each model call and server tool call of a run,
 * written before the next starts, so a run resumes after a crash without repeating finished work) and
 * `run_approvals` (tool calls waiting for a person's decision), and `responses.run_event_watermark`. Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("run_events")
    .addColumn("response_id", "text", (column) => column.notNull())
    .addColumn("sequence_number", "integer", (column) => column.notNull())
    .addColumn("type", "text", (column) => column.notNull())
    .addColumn("payload", "text", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("run_events_pk", ["response_id", "sequence_number"])
    .execute();
  await db.schema
    .createTable("run_steps")
    .addColumn("response_id", "text", (column) => column.notNull())
    .addColumn("step_index", "integer", (column) => column.notNull())
    .addColumn("kind", "text", (column) => column.notNull())
    .addColumn("call_id", "text")
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("input", "text", (column) => column.notNull())
    .addColumn("output", "text")
    .addColumn("ledger_request_id", "text")
    .addColumn("first_event", "integer", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("run_steps_pk", ["response_id", "step_index"])
    .execute();
  await db.schema
    .createTable("run_approvals")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("response_id", "text", (column) => column.notNull())
    .addColumn("key_id", "text", (column) => column.notNull())
    .addColumn("call_id", "text", (column) => column.notNull())
    .addColumn("server_label", "text", (column) => column.notNull())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("arguments", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("reason", "text")
    .addColumn("decided_by", "text")
    .addColumn("continued_by", "text")
    .addColumn("expires_at", "bigint", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("decided_at", "bigint")
    .execute();
  await db.schema.createIndex("run_approvals_status_expiry").on("run_approvals").columns(["status", "expires_at"]).execute();
  await db.schema.createIndex("run_approvals_response").on("run_approvals").columns(["response_id"]).execute();
  // Events below it are covered by the run's last committed step; after a crash the ones above are replayed.
  await db.schema.alterTable("responses").addColumn("run_event_watermark", "integer").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("responses").dropColumn("run_event_watermark").execute();
  await db.schema.dropTable("run_approvals").ifExists().execute();
  await db.schema.dropTable("run_steps").ifExists().execute();
  await db.schema.dropTable("run_events").ifExists().execute();
}
