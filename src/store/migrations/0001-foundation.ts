import { type Kysely, sql } from "kysely";

/** Portable DDL: runs unchanged on SQLite and PostgreSQL. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("models")
    .addColumn("name", "text", (column) => column.primaryKey())
    .addColumn("path", "text", (column) => column.notNull())
    .addColumn("kind", "text", (column) => column.notNull())
    .addColumn("size_bytes", "bigint", (column) => column.notNull())
    .addColumn("sha256", "text")
    .addColumn("architecture", "text", (column) => column.notNull())
    .addColumn("metadata", "text", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .execute();

  await db.schema
    .createTable("providers")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("name", "text", (column) => column.notNull().unique())
    .addColumn("base_url", "text", (column) => column.notNull())
    .addColumn("api_key", "text")
    .addColumn("models", "text", (column) => column.notNull())
    .addColumn("priority", "integer", (column) => column.notNull().defaultTo(100))
    .addColumn("timeout_ms", "integer", (column) => column.notNull().defaultTo(60000))
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("prefix", "text", (column) => column.notNull())
    .addColumn("hash", "text", (column) => column.notNull().unique())
    .addColumn("is_admin", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("models", "text")
    .addColumn("rpm", "integer")
    .addColumn("tpm", "integer")
    .addColumn("budget_nanos", "bigint")
    .addColumn("budget_period", "text", (column) => column.notNull().defaultTo("month"))
    .addColumn("period_start", "bigint", (column) => column.notNull())
    .addColumn("spent_nanos", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("reserved_nanos", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("expires_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("api_keys_prefix").on("api_keys").column("prefix").execute();

  await db.schema
    .createTable("prices")
    .addColumn("model", "text", (column) => column.primaryKey())
    .addColumn("input_micros_per_million", "bigint", (column) => column.notNull())
    .addColumn("output_micros_per_million", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .execute();

  await db.schema
    .createTable("usage_records")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("instance_id", "text", (column) => column.notNull())
    .addColumn("key_id", "text")
    .addColumn("model", "text", (column) => column.notNull())
    .addColumn("route", "text")
    .addColumn("endpoint", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("cancelled", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("input_tokens", "integer")
    .addColumn("output_tokens", "integer")
    .addColumn("cost_nanos", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("reserved_nanos", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("latency_ms", "integer")
    .addColumn("error", "text")
    .addColumn("day", "text", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addColumn("finished_at", "bigint")
    .execute();
  await db.schema.createIndex("usage_records_key_created").on("usage_records").columns(["key_id", "created_at"]).execute();
  await db.schema.createIndex("usage_records_status").on("usage_records").column("status").execute();
  await db.schema.createIndex("usage_records_day_model").on("usage_records").columns(["day", "model"]).execute();

  await db.schema
    .createTable("instances")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("kind", "text", (column) => column.notNull())
    .addColumn("pid", "integer", (column) => column.notNull())
    .addColumn("hostname", "text", (column) => column.notNull())
    .addColumn("started_at", "bigint", (column) => column.notNull())
    .addColumn("heartbeat_at", "bigint", (column) => column.notNull())
    .execute();
  void sql;
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["instances", "usage_records", "prices", "api_keys", "providers", "models"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
