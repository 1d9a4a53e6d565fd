import type { Kysely } from "kysely";

/**
 * stdio MCP servers (run in the bubblewrap sandbox): `command` (absolute path; null for Streamable HTTP servers),
 * `args` (JSON array), `env` (JSON object; secrets, never shown back) and `binds` (JSON array of host folders bound
 * read-only into the sandbox). Existing rows are Streamable HTTP servers. Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("mcp_servers").addColumn("command", "text").execute();
  await db.schema.alterTable("mcp_servers").addColumn("args", "text").execute();
  await db.schema.alterTable("mcp_servers").addColumn("env", "text").execute();
  await db.schema.alterTable("mcp_servers").addColumn("binds", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("mcp_servers").dropColumn("binds").execute();
  await db.schema.alterTable("mcp_servers").dropColumn("env").execute();
  await db.schema.alterTable("mcp_servers").dropColumn("args").execute();
  await db.schema.alterTable("mcp_servers").dropColumn("command").execute();
}
