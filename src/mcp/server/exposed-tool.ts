import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { McpCaller } from "../types.js";

/** One tool aiplus exposes at `/mcp`. */
export type ExposedTool = {
  name: string;
  title?: string | undefined;
  description: string;
  /** Validated by the SDK before `run`; a bad argument comes back as an `isError` result naming it. */
  inputSchema: z.ZodObject;
  annotations?: ToolAnnotations | undefined;
  run(args: Record<string, unknown>, context: { caller: McpCaller; signal: AbortSignal }): Promise<CallToolResult>;
};

/**
 * The registration hook of aiplus's MCP server: each provider returns the tools one caller may see (already filtered
 * by what the key may use), for every request. Knowledge search is one; agents and workflows register theirs later.
 */
export type ExposedToolProvider = (caller: McpCaller) => Promise<ExposedTool[]>;
