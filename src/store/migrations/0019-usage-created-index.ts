import type { Kysely } from "kysely";

/**
 * The console's request log and usage reports of every key read the ledger by time (`created_at` range, newest
 * first) without a key filter: index `created_at` (with `id`, the tie-breaker of the order). Portable DDL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("usage_records_created").on("usage_records").columns(["created_at", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("usage_records_created").execute();
}
