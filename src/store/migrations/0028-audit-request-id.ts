import type { Kysely } from "kysely";

/**
 * Guardrail decisions per request (issue 11): `audit_log.request_id` is the ledger's request id (the usage record of
 * the model call the decision belongs to; null for admin actions and work outside the ledger), indexed so that the
 * usage log, a request's detail and a run's trace read a request's decisions directly. Adding a nullable column
 * changes no row, so the append-only triggers stay as they are. Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("audit_log").addColumn("request_id", "text").execute();
  await db.schema.createIndex("audit_log_request_id").on("audit_log").columns(["request_id", "seq"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("audit_log_request_id").execute();
  await db.schema.alterTable("audit_log").dropColumn("request_id").execute();
}
