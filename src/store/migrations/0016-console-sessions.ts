import type { Kysely } from "kysely";

/**
 * Web console sessions: `id` is the SHA-256 (hex) of the session cookie's token (the token itself is never stored),
 * `key_id` the API key that signed in; a session ends at `expires_at` or when its key is revoked or expires.
 * Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("console_sessions")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("key_id", "text", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("expires_at", "bigint", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("console_sessions_key_id").on("console_sessions").column("key_id").execute();
  await db.schema.createIndex("console_sessions_expires_at").on("console_sessions").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("console_sessions").execute();
}
