import type { Kysely } from "kysely";

/**
 * Guardrail policies (issue 11): every version of every named policy is kept (`version` counts from 1 per name; the
 * audit log names the version a decision ran under); `document` is the validated policy as JSON, `source` the file as
 * given (YAML or JSON); `removed_at` marks a removed name (all its versions). `api_keys.policy` names a key's own
 * policy (null: the default policy alone). Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("guardrail_policies")
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("version", "integer", (column) => column.notNull())
    .addColumn("document", "text", (column) => column.notNull())
    .addColumn("source", "text", (column) => column.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("removed_at", "bigint")
    .addPrimaryKeyConstraint("guardrail_policies_pk", ["name", "version"])
    .execute();
  await db.schema.alterTable("api_keys").addColumn("policy", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("api_keys").dropColumn("policy").execute();
  await db.schema.dropTable("guardrail_policies").execute();
}
