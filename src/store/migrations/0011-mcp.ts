import type { Kysely } from "kysely";

/**
 * MCP client registry (src/mcp): registered MCP servers, the approved hash of each of their tools (a tool whose
 * name, description or input schema changed needs re-approval) and per-key grants. Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mcp_servers")
    .addColumn("label", "text", (column) => column.primaryKey())
    .addColumn("url", "text", (column) => column.notNull())
    .addColumn("transport", "text", (column) => column.notNull())
    .addColumn("headers", "text", (column) => column.notNull())
    .addColumn("allowed_tools", "text")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .execute();
  await db.schema
    .createTable("mcp_tool_approvals")
    .addColumn("server_label", "text", (column) => column.notNull().references("mcp_servers.label").onDelete("cascade"))
    .addColumn("tool_name", "text", (column) => column.notNull())
    .addColumn("hash", "text", (column) => column.notNull())
    .addColumn("approved_by", "text", (column) => column.notNull())
    .addColumn("approved_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("mcp_tool_approvals_pk", ["server_label", "tool_name"])
    .execute();
  await db.schema
    .createTable("mcp_grants")
    .addColumn("server_label", "text", (column) => column.notNull().references("mcp_servers.label").onDelete("cascade"))
    .addColumn("key_id", "text", (column) => column.notNull())
    .addColumn("tools", "text")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("mcp_grants_pk", ["server_label", "key_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("mcp_grants").ifExists().execute();
  await db.schema.dropTable("mcp_tool_approvals").ifExists().execute();
  await db.schema.dropTable("mcp_servers").ifExists().execute();
}
