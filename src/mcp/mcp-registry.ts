import { z } from "zod";
import { ConflictError, InternalError } from "../spec/index.js";
import { affectedRows, type DatabaseExecutor, isUniqueViolation, type McpServersTable } from "../store/index.js";
import type { McpGrant, McpServerRecord, McpToolApproval } from "./types.js";

const headersColumn = z.record(z.string(), z.string());
const namesColumn = z.array(z.string());

export type NewMcpServer = Omit<McpServerRecord, "createdAt">;

export type McpRegistryOptions = {
  /** Clock in ms. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
};

/** MCP servers, approved tool hashes and per-key grants, in the store (migration 0011). */
export type McpRegistry = ReturnType<typeof createMcpRegistry>;

export function createMcpRegistry(database: DatabaseExecutor, options: McpRegistryOptions = {}) {
  const now = options.now ?? Date.now;
  return {
    async addServer(server: NewMcpServer): Promise<McpServerRecord> {
      const record = { ...server, createdAt: now() };
      try {
        await database.db
          .insertInto("mcp_servers")
          .values({
            label: record.label, url: record.url, transport: record.transport, headers: JSON.stringify(record.headers),
            allowed_tools: record.allowedTools ? JSON.stringify(record.allowedTools) : null, created_at: record.createdAt,
            command: record.stdio?.command ?? null, args: record.stdio ? JSON.stringify(record.stdio.args) : null,
            env: record.stdio ? JSON.stringify(record.stdio.env) : null, binds: record.stdio ? JSON.stringify(record.stdio.binds) : null,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError({ message: `an MCP server labelled ${server.label} exists already`, param: "label", code: "mcp_server_exists", cause: error });
        throw error;
      }
      return record;
    },

    async listServers(): Promise<McpServerRecord[]> {
      return (await database.db.selectFrom("mcp_servers").selectAll().orderBy("label").execute()).map(toServerRecord);
    },

    async getServer(label: string): Promise<McpServerRecord | undefined> {
      const row = await database.db.selectFrom("mcp_servers").selectAll().where("label", "=", label).executeTakeFirst();
      return row ? toServerRecord(row) : undefined;
    },

    /** Removes a server with its approvals and grants; false when there was none. */
    async removeServer(label: string): Promise<boolean> {
      return database.db.transaction().execute(async (transaction) => {
        await transaction.deleteFrom("mcp_tool_approvals").where("server_label", "=", label).execute();
        await transaction.deleteFrom("mcp_grants").where("server_label", "=", label).execute();
        return affectedRows(await transaction.deleteFrom("mcp_servers").where("label", "=", label).executeTakeFirst()) > 0;
      });
    },

    async approvals(label: string): Promise<Map<string, McpToolApproval>> {
      const rows = await database.db.selectFrom("mcp_tool_approvals").selectAll().where("server_label", "=", label).execute();
      return new Map(rows.map((row) => [row.tool_name, { server: row.server_label, tool: row.tool_name, hash: row.hash, approvedBy: row.approved_by, approvedAt: Number(row.approved_at) }]));
    },

    /** Records (or replaces) the approved hash of each tool. */
    async approve(label: string, tools: Array<{ name: string; hash: string }>, approvedBy: string): Promise<void> {
      const at = now();
      await database.db.transaction().execute(async (transaction) => {
        for (const tool of tools) {
          await transaction.deleteFrom("mcp_tool_approvals").where("server_label", "=", label).where("tool_name", "=", tool.name).execute();
          await transaction.insertInto("mcp_tool_approvals").values({ server_label: label, tool_name: tool.name, hash: tool.hash, approved_by: approvedBy, approved_at: at }).execute();
        }
      });
    },

    /** Grants a key a server's tools (all allowed ones when `tools` is undefined); replaces an earlier grant. */
    async grant(label: string, keyId: string, tools: string[] | undefined): Promise<McpGrant> {
      const grant = { server: label, keyId, tools, createdAt: now() };
      await database.db.transaction().execute(async (transaction) => {
        await transaction.deleteFrom("mcp_grants").where("server_label", "=", label).where("key_id", "=", keyId).execute();
        await transaction.insertInto("mcp_grants").values({ server_label: label, key_id: keyId, tools: tools ? JSON.stringify(tools) : null, created_at: grant.createdAt }).execute();
      });
      return grant;
    },

    async revoke(label: string, keyId: string): Promise<boolean> {
      return affectedRows(await database.db.deleteFrom("mcp_grants").where("server_label", "=", label).where("key_id", "=", keyId).executeTakeFirst()) > 0;
    },

    /** Grants of one server, or of one key (across servers). */
    async grants(filter: { server?: string | undefined; keyId?: string | undefined }): Promise<McpGrant[]> {
      let query = database.db.selectFrom("mcp_grants").selectAll();
      if (filter.server !== undefined) query = query.where("server_label", "=", filter.server);
      if (filter.keyId !== undefined) query = query.where("key_id", "=", filter.keyId);
      const rows = await query.orderBy("server_label").orderBy("key_id").execute();
      return rows.map((row) => ({ server: row.server_label, keyId: row.key_id, tools: parseColumn(row.tools, namesColumn, "mcp_grants.tools"), createdAt: Number(row.created_at) }));
    },
  };
}

function toServerRecord(row: McpServersTable): McpServerRecord {
  const stdio = row.transport === "stdio" && row.command !== null
    ? {
        command: row.command,
        args: parseColumn(row.args, namesColumn, "mcp_servers.args") ?? [],
        env: parseColumn(row.env, headersColumn, "mcp_servers.env") ?? {},
        binds: parseColumn(row.binds, namesColumn, "mcp_servers.binds") ?? [],
      }
    : undefined;
  return {
    label: row.label,
    url: row.url,
    transport: stdio ? "stdio" : "streamable-http",
    headers: parseColumn(row.headers, headersColumn, "mcp_servers.headers") ?? {},
    stdio,
    allowedTools: parseColumn(row.allowed_tools, namesColumn, "mcp_servers.allowed_tools"),
    createdAt: Number(row.created_at),
  };
}

function parseColumn<Value>(text: string | null, schema: z.ZodType<Value>, column: string): Value | undefined {
  if (text === null) return undefined;
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InternalError({ message: `stored ${column} is malformed` });
  return parsed.data;
}
