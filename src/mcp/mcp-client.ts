import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { AiplusError, UpstreamError, UpstreamTimeoutError } from "../spec/index.js";
import type { McpServerRecord, McpToolResult } from "./types.js";

/** Options of {@link openMcpSession}. */
export type McpSessionOptions = {
  /** Used for every HTTP request to the server (the address-checking fetch in production). */
  fetch: typeof globalThis.fetch;
  /** Timeout of each MCP request (initialize, list, call). Defaults to 30000 ms. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** The client name and version sent in `initialize`. */
  clientInfo?: { name: string; version: string } | undefined;
  /** Used instead of Streamable HTTP to `server.url` (the sandboxed stdio transport of a stdio server). */
  transport?: Transport | undefined;
};

/** A connected MCP client session: list and call tools, then close. */
export type McpSession = {
  listTools(): Promise<Tool[]>;
  callTool(name: string, args: Record<string, unknown>): Promise<McpToolResult>;
  close(): Promise<void>;
};

/** Pages of `tools/list` followed at most this many times. */
const maxToolPages = 100;

/** Connects to an MCP server (Streamable HTTP, or `options.transport`) with the SDK's Client; failures become UpstreamError (502) or UpstreamTimeoutError (504). */
export async function openMcpSession(server: McpServerRecord, options: McpSessionOptions): Promise<McpSession> {
  const timeout = options.timeoutMs ?? 30_000;
  const requestOptions = { timeout, signal: options.signal };
  const transport = options.transport ?? new StreamableHTTPClientTransport(new URL(server.url), { fetch: options.fetch, requestInit: { headers: server.headers } });
  const client = new Client(options.clientInfo ?? { name: "aiplus", version: "0.1.0" });
  await guard(server, () => client.connect(transport, requestOptions));
  return {
    async listTools() {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < maxToolPages; page++) {
        const result = await guard(server, () => client.listTools(cursor === undefined ? {} : { cursor }, requestOptions));
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (cursor === undefined) break;
      }
      return tools;
    },
    async callTool(name, args) {
      const result = await guard(server, () => client.callTool({ name, arguments: args }, undefined, requestOptions));
      const content = Array.isArray(result.content) ? result.content : [];
      const structured = result.structuredContent;
      return { content, structuredContent: structured && typeof structured === "object" ? (structured as Record<string, unknown>) : undefined, isError: result.isError === true };
    },
    async close() {
      await client.close().catch(() => undefined);
    },
  };
}

async function guard<Result>(server: McpServerRecord, action: () => Promise<Result>): Promise<Result> {
  try {
    return await action();
  } catch (error) {
    if (AiplusError.isInstance(error)) throw error;
    const cause = error instanceof Error && AiplusError.isInstance(error.cause) ? error.cause : undefined;
    if (cause) throw cause;
    if (error instanceof McpError && error.code === Number(ErrorCode.RequestTimeout)) {
      throw new UpstreamTimeoutError({ message: `MCP server ${server.label} did not answer in time`, code: "mcp_server_timeout", cause: error });
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw new UpstreamError({ message: `MCP server ${server.label} failed: ${detail}`, code: "mcp_server_error", cause: error });
  }
}
