import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";

/** A real MCP server (the SDK's McpServer, stateless Streamable HTTP) on a random loopback port. */
export type McpTestServer = {
  url: string;
  /** Description of the `echo` tool; change it to simulate a tool changing after approval. */
  echoDescription: string;
  /** Every HTTP request it received (method and headers). */
  requests: Array<{ method: string; headers: Headers }>;
  close(): Promise<void>;
};

export async function startMcpTestServer(): Promise<McpTestServer> {
  const state: McpTestServer = { url: "", echoDescription: "Echoes the text back.", requests: [], close: async () => undefined };
  const handle = async (request: Request): Promise<Response> => {
    state.requests.push({ method: request.method, headers: request.headers });
    if (request.method !== "POST") return new Response(null, { status: 405 });
    const server = new McpServer({ name: "test-tools", version: "1.0.0" });
    server.registerTool("echo", { description: state.echoDescription, inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: "text", text: `echo: ${text}` }] }));
    server.registerTool("add", { description: "Adds two numbers.", inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
      content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b },
    }));
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  };
  const listening = await new Promise<ServerType>((resolve) => {
    const server = serve({ fetch: handle, port: 0, hostname: "127.0.0.1" }, () => resolve(server));
  });
  state.url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}/mcp`;
  state.close = () => new Promise<void>((resolve) => listening.close(() => resolve()));
  return state;
}
