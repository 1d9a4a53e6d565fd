import { Hono } from "hono";
import { handleMcpRequest, type ExposedToolProvider } from "../../mcp/index.js";
import type { AppEnvironment } from "../app-environment.js";

/** `/mcp`: aiplus as a stateless Streamable HTTP MCP server; the caller's key decides which tools it lists and runs. */
export function mcpEndpointRoute(options: { providers: readonly ExposedToolProvider[]; maxBodyBytes: number }): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().all("/", async (c) => {
    const principal = c.get("principal");
    return handleMcpRequest(c.req.raw, { keyId: principal.id, isAdmin: principal.isAdmin, allowCodeExecution: principal.allowCodeExecution }, { providers: options.providers, maxBodyBytes: options.maxBodyBytes });
  });
}
