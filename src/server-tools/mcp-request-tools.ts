import { guardedFetch, namespacedToolName, openMcpSession, toolHash, type McpCaller, type McpService, type McpToolResult } from "../mcp/index.js";
import type { McpListToolsItem, McpToolEntry } from "../responses/index.js";
import type { ServerTool } from "./server-tool.js";

/** One tool as an `mcp_list_tools` item lists it. */
type ListedTool = McpListToolsItem["tools"][number];

/** Names a model may call (the registry's rule); tools of other names are not exposed. */
const callableName = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The tools a request's `mcp` entry offers, as an `mcp_list_tools` item lists them: a registered server's tools that
 * the key was granted, the server allows and an admin approved (current hash); an ad-hoc server's tools as it lists
 * them (its URL passes the MCP allow-list first). Narrowed by the entry's `allowed_tools`.
 */
export async function listMcpRequestTools(mcp: McpService, caller: McpCaller, entry: McpToolEntry, signal: AbortSignal): Promise<ListedTool[]> {
  let tools: ListedTool[];
  if (entry.server_url === null) {
    const { tools: views } = await mcp.toolsFor(caller, { server: entry.server_label, signal });
    tools = views.filter((view) => view.status === "approved").map((view) => ({ name: view.name, description: view.description ?? null, input_schema: view.inputSchema, annotations: null }));
  } else {
    tools = await withAdHocSession(mcp, entry, signal, async (session) =>
      (await session.listTools()).map((tool) => ({ name: tool.name, description: tool.description ?? null, input_schema: tool.inputSchema, annotations: null })),
    );
  }
  return tools.filter((tool) => entry.allowed_tools === null || entry.allowed_tools.includes(tool.name));
}

/**
 * The listed tools as server tools named `label__tool`. A call of a registered server's tool goes through the MCP
 * registry (grant, allow-list and approved hash checked again: a tool changed since its approval is refused before it
 * runs); a call of an ad-hoc server's tool is refused when the tool changed since it was listed.
 */
export function mcpRequestTools(mcp: McpService, entry: McpToolEntry, listed: ListedTool[]): ServerTool[] {
  return listed.flatMap((tool): ServerTool[] => {
    const name = namespacedToolName(entry.server_label, tool.name);
    if (!callableName.test(name)) return [];
    return [
      {
        name,
        description: tool.description ?? `Tool ${tool.name} of the MCP server ${entry.server_label}.`,
        parameters: tool.input_schema,
        serverLabel: entry.server_label,
        idempotent: false,
        requiresApproval: requiresApproval(entry, tool.name),
        async execute(args, context) {
          const input = typeof args === "object" && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
          const caller = { keyId: context.caller.keyId, isAdmin: context.caller.isAdmin };
          const result =
            entry.server_url === null
              ? await mcp.callTool(caller, name, input, { signal: context.signal })
              : await withAdHocSession(mcp, entry, context.signal, async (session) => {
                  const current = (await session.listTools()).find((candidate) => candidate.name === tool.name);
                  if (!current) throw new Error(`MCP server ${entry.server_label} no longer lists tool ${tool.name}`);
                  const listedHash = toolHash({ name: tool.name, description: tool.description ?? undefined, inputSchema: tool.input_schema });
                  if (toolHash(current) !== listedHash) {
                    throw new Error(`MCP tool ${name} changed since it was listed (re-approval needed: start a new conversation to list it again); it was not called`);
                  }
                  return session.callTool(tool.name, input);
                });
          const text = resultText(result);
          if (result.isError) throw new Error(text || "the MCP tool reported an error");
          return text;
        },
      },
    ];
  });
}

function requiresApproval(entry: McpToolEntry, tool: string): boolean {
  const policy = entry.require_approval;
  if (policy === "always") return true;
  if (policy === "never") return false;
  return !policy.never.tool_names.includes(tool);
}

/** A tool result as the model reads it: its text parts, else its structured content as JSON. */
function resultText(result: McpToolResult): string {
  const texts = result.content.flatMap((part) =>
    typeof part === "object" && part !== null && (part as { type?: unknown }).type === "text" && typeof (part as { text?: unknown }).text === "string" ? [(part as { text: string }).text] : [],
  );
  if (texts.length > 0) return texts.join("\n");
  return result.structuredContent ? JSON.stringify(result.structuredContent) : "";
}

async function withAdHocSession<Result>(mcp: McpService, entry: McpToolEntry, signal: AbortSignal, use: (session: Awaited<ReturnType<typeof openMcpSession>>) => Promise<Result>): Promise<Result> {
  const url = entry.server_url ?? "";
  await mcp.policy.assertUrlAllowed(url);
  const server = { label: entry.server_label, url, transport: "streamable-http" as const, headers: entry.headers ?? {}, allowedTools: entry.allowed_tools ?? undefined, createdAt: 0 };
  const session = await openMcpSession(server, { fetch: guardedFetch(mcp.policy), signal });
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}
