import type { Kysely } from "kysely";

/**
 * Rate limits shared by every instance on one database (issue 12), used when no Redis is configured:
 * - `rate_limit_locks`: one row per key and counter (`requests`, `tokens`, `slots`), upserted first in each counting
 *   transaction so that concurrent instances counting the same key take turns;
 * - `rate_limit_entries`: the sliding windows' entries (epoch ms `at`, `amount` requests or tokens);
 * - `concurrency_slots`: a key's concurrent requests, each a lease renewed by its instance until `expires_at`;
 * - `api_keys.max_concurrent_requests`: a key's cap on concurrent requests (null: none).
 * Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("rate_limit_locks")
    .addColumn("key_id", "text", (column) => column.notNull())
    .addColumn("counter", "text", (column) => column.notNull())
    .addColumn("touched_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("rate_limit_locks_pkey", ["key_id", "counter"])
    .execute();
  await db.schema
    .createTable("rate_limit_entries")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("key_id", "text", (column) => column.notNull())
    .addColumn("counter", "text", (column) => column.notNull())
    .addColumn("at", "bigint", (column) => column.notNull())
    .addColumn("amount", "bigint", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("rate_limit_entries_window").on("rate_limit_entries").columns(["key_id", "counter", "at"]).execute();
  await db.schema
    .createTable("concurrency_slots")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("key_id", "text", (column) => column.notNull())
    .addColumn("expires_at", "bigint", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("concurrency_slots_key").on("concurrency_slots").columns(["key_id", "expires_at"]).execute();
  await db.schema.alterTable("api_keys").addColumn("max_concurrent_requests", "integer").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("api_keys").dropColumn("max_concurrent_requests").execute();
  await db.schema.dropTable("concurrency_slots").execute();
  await db.schema.dropTable("rate_limit_entries").execute();
  await db.schema.dropTable("rate_limit_locks").execute();
}
