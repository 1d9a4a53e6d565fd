import { type Kysely, sql } from "kysely";

/**
 * Agents (`/v1/agents`, src/agents): `agents` (one row per agent, owned by the key that created it; deleted agents keep
 * their rows so that runs naming `{id, version}` still resolve, and free their name), `agent_versions` (immutable
 * definitions: every update adds one) and `memory_blocks` (long-term memory values per agent, key and user).
 * Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("agents")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("owner_id", "text", (column) => column.notNull())
    .addColumn("latest_version", "integer", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addColumn("deleted_at", "bigint")
    .execute();
  // A name is unique among an owner's live agents.
  await db.schema.createIndex("agents_owner_name").on("agents").columns(["owner_id", "name"]).unique().where(sql.ref("deleted_at"), "is", null).execute();
  await db.schema.createIndex("agents_created").on("agents").columns(["created_at", "id"]).execute();
  await db.schema
    .createTable("agent_versions")
    .addColumn("agent_id", "text", (column) => column.notNull().references("agents.id").onDelete("cascade"))
    .addColumn("version", "integer", (column) => column.notNull())
    .addColumn("definition", "text", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("agent_versions_pk", ["agent_id", "version"])
    .execute();
  await db.schema
    .createTable("memory_blocks")
    .addColumn("agent_id", "text", (column) => column.notNull().references("agents.id").onDelete("cascade"))
    .addColumn("key_id", "text", (column) => column.notNull())
    .addColumn("user_id", "text", (column) => column.notNull())
    .addColumn("label", "text", (column) => column.notNull())
    .addColumn("value", "text", (column) => column.notNull())
    .addColumn("limit_chars", "integer", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("memory_blocks_pk", ["agent_id", "key_id", "user_id", "label"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("memory_blocks").ifExists().execute();
  await db.schema.dropTable("agent_versions").ifExists().execute();
  await db.schema.dropTable("agents").ifExists().execute();
}
