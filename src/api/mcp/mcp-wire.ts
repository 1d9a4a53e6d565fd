import type { McpGrant, McpServerRecord, McpToolView } from "../../mcp/index.js";
import { unixSeconds } from "../admin/admin-fields.js";

const masked = (secrets: Record<string, string>) => Object.fromEntries(Object.keys(secrets).map((name) => [name, "****"]));

/** An MCP server as the API shows it: header and env values (secrets) are masked. */
export function wireMcpServer(server: McpServerRecord) {
  return {
    object: "mcp_server",
    label: server.label,
    url: server.stdio ? null : server.url,
    transport: server.transport,
    headers: masked(server.headers),
    ...(server.stdio ? { command: server.stdio.command, args: server.stdio.args, env: masked(server.stdio.env), binds: server.stdio.binds } : {}),
    allowed_tools: server.allowedTools ?? null,
    created_at: unixSeconds(server.createdAt),
  };
}

export function wireMcpTool(tool: McpToolView) {
  return {
    object: "mcp_tool",
    server: tool.server,
    name: tool.name,
    namespaced_name: tool.namespacedName,
    description: tool.description ?? null,
    input_schema: tool.inputSchema,
    hash: tool.hash,
    status: tool.status,
    approved_hash: tool.approvedHash ?? null,
    allowed: tool.allowed,
  };
}

export function wireMcpGrant(grant: McpGrant) {
  return { object: "mcp_grant", server: grant.server, key_id: grant.keyId, tools: grant.tools ?? null, created_at: unixSeconds(grant.createdAt) };
}
