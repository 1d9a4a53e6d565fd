import type { AgentDefinition } from "./agent-definition-schema.js";

/**
 * Whether a call of `toolName` needs a human's approval under the agent's policy: `approval.per_tool[toolName]`, else
 * (for an MCP server's tool) the server entry's `require_approval`, else `approval.default`.
 */
export function approvalRequired(definition: AgentDefinition, toolName: string, mcpServerLabel?: string | undefined): boolean {
  const own = definition.approval.per_tool[toolName];
  if (own !== undefined) return own === "always";
  const server = mcpServerLabel === undefined ? undefined : definition.tools.find((tool) => tool.type === "mcp" && tool.server_label === mcpServerLabel);
  if (server?.type === "mcp" && server.require_approval !== undefined) {
    const policy = server.require_approval;
    if (typeof policy === "string") return policy === "always";
    if (policy.always?.tool_names.includes(toolName)) return true;
    if (policy.never?.tool_names.includes(toolName)) return false;
  }
  return definition.approval.default === "always";
}
