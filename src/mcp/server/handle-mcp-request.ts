import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { McpCaller } from "../types.js";
import type { ExposedToolProvider } from "./exposed-tool.js";

/** Options of {@link handleMcpRequest}. */
export type McpEndpointOptions = {
  /** The tools providers expose; each filters by the caller. */
  providers: readonly ExposedToolProvider[];
  /** Largest POST body the transport reads. Defaults to 4 MiB. */
  maxBodyBytes?: number | undefined;
  /** Server name and version announced in `initialize`. */
  serverInfo?: { name: string; version: string } | undefined;
};

/**
 * Answers one Streamable HTTP request to aiplus's MCP server in stateless mode: a fresh SDK `McpServer` holding only
 * the tools this caller may use (so `tools/list` and `tools/call` are filtered alike), JSON responses, no sessions.
 * Only POST carries messages; GET and DELETE (streams and sessions) get 405.
 */
export async function handleMcpRequest(request: Request, caller: McpCaller, options: McpEndpointOptions): Promise<Response> {
  if (request.method !== "POST") {
    return Response.json({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this stateless MCP endpoint takes POST only." }, id: null }, { status: 405, headers: { allow: "POST" } });
  }
  const server = new McpServer(options.serverInfo ?? { name: "aiplus", version: "0.1.0" }, { capabilities: { tools: {} } });
  const signal = request.signal;
  let registered = 0;
  for (const provider of options.providers) {
    for (const tool of await provider(caller)) {
      server.registerTool(
        tool.name,
        { title: tool.title, description: tool.description, inputSchema: tool.inputSchema, annotations: tool.annotations },
        (args: Record<string, unknown>, extra: { signal: AbortSignal }) => tool.run(args, { caller, signal: AbortSignal.any([signal, extra.signal]) }),
      );
      registered++;
    }
  }
  // A caller with no tools still gets an (empty) tools/list rather than "method not found".
  if (registered === 0) server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true, maxRequestBodySize: options.maxBodyBytes });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
