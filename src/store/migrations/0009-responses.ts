import type { Kysely } from "kysely";

/**
 * Responses API (`POST /v1/responses`): one `responses` row per response (a run: its status, request and last built
 * response JSON) and its ordered `response_items` (input items first, then output items, one position sequence).
 * Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("responses")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("key_id", "text", (column) => column.notNull())
    .addColumn("model", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("background", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("previous_response_id", "text")
    .addColumn("request", "text", (column) => column.notNull())
    .addColumn("response", "text", (column) => column.notNull())
    .addColumn("error", "text")
    .addColumn("input_tokens", "integer")
    .addColumn("output_tokens", "integer")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addColumn("completed_at", "bigint")
    .execute();
  await db.schema.createIndex("responses_key_created").on("responses").columns(["key_id", "created_at"]).execute();
  await db.schema
    .createTable("response_items")
    .addColumn("response_id", "text", (column) => column.notNull().references("responses.id").onDelete("cascade"))
    .addColumn("position", "integer", (column) => column.notNull())
    .addColumn("kind", "text", (column) => column.notNull())
    .addColumn("item_id", "text", (column) => column.notNull())
    .addColumn("item_type", "text", (column) => column.notNull())
    .addColumn("item", "text", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("response_items_pk", ["response_id", "position"])
    .execute();
  await db.schema.createIndex("response_items_item").on("response_items").columns(["response_id", "item_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("response_items").ifExists().execute();
  await db.schema.dropTable("responses").ifExists().execute();
}
