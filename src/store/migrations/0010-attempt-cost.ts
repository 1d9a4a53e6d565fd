import type { Kysely } from "kysely";

/**
 * Attempts the gateway abandoned for a request (retries and failovers before the route that answered, or every
 * attempt of a request that failed): `failed_attempts` counts them, `failed_input_tokens` / `failed_output_tokens`
 * hold their tokens as far as known (null: unknown). Their cost at the price book is part of the row's
 * `provider_cost_nanos` and never of `cost_nanos`. Existing rows: no failed attempts recorded.
 * Portable DDL: runs unchanged on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("usage_records").addColumn("failed_attempts", "integer", (column) => column.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("usage_records").addColumn("failed_input_tokens", "integer").execute();
  await db.schema.alterTable("usage_records").addColumn("failed_output_tokens", "integer").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("usage_records").dropColumn("failed_output_tokens").execute();
  await db.schema.alterTable("usage_records").dropColumn("failed_input_tokens").execute();
  await db.schema.alterTable("usage_records").dropColumn("failed_attempts").execute();
}
