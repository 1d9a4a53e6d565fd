import type { Kysely } from "kysely";

/**
 * `api_keys.allow_code_execution`: an admin's grant that lets a non-admin key start runs that execute code in the
 * sandbox (humaneval, `code-execution` custom tasks). Admin keys may always. Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("api_keys")
    .addColumn("allow_code_execution", "integer", (column) => column.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("api_keys").dropColumn("allow_code_execution").execute();
}
