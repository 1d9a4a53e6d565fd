import { Hono } from "hono";
import { z } from "zod";
import type { McpService } from "../../mcp/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { wireMcpTool } from "./mcp-wire.js";

const callBody = z.strictObject({
  name: z.string({ error: "name must be a namespaced tool name (label__tool)" }).min(1, { error: "name must be a namespaced tool name (label__tool)" }),
  arguments: z.record(z.string(), z.unknown(), { error: "arguments must be a JSON object" }).optional(),
});

/**
 * `/v1/mcp/tools`: the tools of registered MCP servers this key may use (`GET`, filtered by its grants; admins see
 * all) and `POST /v1/mcp/tools/call` to call one by its namespaced name. Unapproved or changed tools give 409.
 */
export function mcpToolsRoutes({ mcp }: { mcp: McpService }): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>()
    .get("/", async (c) => {
      const principal = c.get("principal");
      const { tools, unavailable } = await mcp.toolsFor({ keyId: principal.id, isAdmin: principal.isAdmin }, { server: c.req.query("server"), signal: c.req.raw.signal });
      return c.json({ object: "list", data: tools.map(wireMcpTool), unavailable });
    })
    .post("/call", async (c) => {
      const body = parseWithSchema(callBody, await readJsonBody(c));
      const principal = c.get("principal");
      const result = await mcp.callTool({ keyId: principal.id, isAdmin: principal.isAdmin }, body.name, body.arguments ?? {}, { signal: c.req.raw.signal });
      return c.json({ object: "mcp_tool_result", name: body.name, content: result.content, structured_content: result.structuredContent ?? null, is_error: result.isError });
    });
}
