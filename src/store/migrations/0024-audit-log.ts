import { type Kysely, PostgresAdapter, sql } from "kysely";

/**
 * The audit log (issue 11): every guardrail decision (key, route, policy and version, rule, action, entity type,
 * positions, an HMAC of the value: never the value) and every admin action, in insertion order (`seq`). Append-only:
 * triggers refuse any UPDATE or DELETE on both SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable("audit_log")
    .addColumn("seq", postgres ? "bigserial" : "integer", (column) => (postgres ? column.primaryKey() : column.primaryKey().autoIncrement()))
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("kind", "text", (column) => column.notNull())
    .addColumn("key_id", "text")
    .addColumn("actor", "text")
    .addColumn("endpoint", "text")
    .addColumn("model", "text")
    .addColumn("route", "text")
    .addColumn("policy", "text")
    .addColumn("rule", "text", (column) => column.notNull())
    .addColumn("action", "text", (column) => column.notNull())
    .addColumn("entity_type", "text")
    .addColumn("positions", "text")
    .addColumn("value_hmac", "text")
    .addColumn("target", "text")
    .addColumn("details", "text")
    .execute();
  await db.schema.createIndex("audit_log_created_at").on("audit_log").column("created_at").execute();
  await db.schema.createIndex("audit_log_key_id").on("audit_log").columns(["key_id", "seq"]).execute();
  if (postgres) {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$ begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_no_update before update or delete on audit_log for each row execute function audit_log_append_only()`.execute(db);
    await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("audit_log").execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`drop function if exists audit_log_append_only()`.execute(db);
}
