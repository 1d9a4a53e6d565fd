import { type Kysely, sql } from "kysely";

/**
 * `usage_records.provider_cost_nanos`: what the tokens of a request cost at the price book, whether or not the key
 * was charged (`cost_nanos`). A request that answered the client with an error is charged 0 but keeps its tokens
 * and this cost, so operators see what failed traffic consumed. Existing rows: the provider cost is what was charged.
 * Portable DDL: runs unchanged on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("usage_records")
    .addColumn("provider_cost_nanos", "bigint", (column) => column.notNull().defaultTo(0))
    .execute();
  await sql`update usage_records set provider_cost_nanos = cost_nanos`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("usage_records").dropColumn("provider_cost_nanos").execute();
}
