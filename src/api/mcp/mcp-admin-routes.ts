import { Hono } from "hono";
import { z } from "zod";
import type { McpService } from "../../mcp/index.js";
import { NotFoundError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { adminGuard } from "../middleware/index.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { wireMcpGrant, wireMcpServer, wireMcpTool } from "./mcp-wire.js";

const toolNames = (name: string) => z.array(z.string().min(1, { error: `${name} must name tools` }), { error: `${name} must be an array of tool names` });

const createBody = z.strictObject({
  label: z.string({ error: "label must be a string" }),
  url: z.string({ error: "url must be an http(s) URL" }).optional(),
  transport: z.string({ error: "transport must be streamable-http or stdio" }).optional(),
  command: z.string({ error: "command must be an absolute path" }).optional(),
  args: z.array(z.string({ error: "args must be strings" }), { error: "args must be an array of strings" }).optional(),
  env: z.record(z.string(), z.string({ error: "env values must be strings" }), { error: "env must be an object of strings" }).optional(),
  binds: z.array(z.string({ error: "binds must be absolute folder paths" }), { error: "binds must be an array of absolute folder paths" }).optional(),
  headers: z.record(z.string(), z.string({ error: "headers values must be strings" }), { error: "headers must be an object of strings" }).optional(),
  bearer_token: z.string({ error: "bearer_token must be a string" }).min(1, { error: "bearer_token must not be empty" }).optional(),
  allowed_tools: toolNames("allowed_tools").nullish(),
});

const approveBody = z
  .strictObject({ tools: toolNames("tools").min(1, { error: "tools must name at least one tool" }).optional(), all: z.literal(true, { error: "all must be true" }).optional() })
  .refine((body) => (body.tools === undefined) !== (body.all === undefined), { error: "give tools (names) or all: true", path: ["tools"] });

const grantBody = z.strictObject({
  key_id: z.string({ error: "key_id must be an API key id" }).min(1, { error: "key_id must be an API key id" }),
  tools: toolNames("tools").nullish(),
});

/**
 * `/v1/admin/mcp/servers`: the MCP servers whose tools keys may use, tool approval by hash, per-key grants. Admin keys
 * only (a stdio server runs a program on this host, sandboxed).
 */
export function mcpAdminRoutes(dependencies: RouteDependencies & { mcp: McpService }): Hono<AppEnvironment> {
  const { mcp, maas } = dependencies;
  return new Hono<AppEnvironment>()
    .use(adminGuard())
    .post("/servers", async (c) => {
      const body = parseWithSchema(createBody, await readJsonBody(c));
      const server = await mcp.addServer({
        label: body.label, url: body.url, transport: body.transport, headers: body.headers, bearerToken: body.bearer_token, allowedTools: body.allowed_tools ?? undefined,
        command: body.command, args: body.args, env: body.env, binds: body.binds,
      });
      return c.json(wireMcpServer(server), 201);
    })
    .get("/servers", async (c) => c.json({ object: "list", data: (await mcp.listServers()).map(wireMcpServer) }))
    .get("/servers/:label", async (c) => c.json(wireMcpServer(await mcp.getServer(c.req.param("label")))))
    .delete("/servers/:label", async (c) => {
      await mcp.removeServer(c.req.param("label"));
      return c.json({ id: c.req.param("label"), object: "mcp_server", deleted: true });
    })
    .get("/servers/:label/tools", async (c) => {
      const tools = await mcp.listServerTools(c.req.param("label"), c.req.raw.signal);
      return c.json({ object: "list", data: tools.map(wireMcpTool) });
    })
    .post("/servers/:label/tools/approve", async (c) => {
      const body = parseWithSchema(approveBody, await readJsonBody(c));
      const approvedBy = c.get("principal").id;
      const tools = await mcp.approveTools(c.req.param("label"), body.tools ?? "all", approvedBy, c.req.raw.signal);
      return c.json({ object: "list", data: tools.map(wireMcpTool) });
    })
    .get("/servers/:label/grants", async (c) => c.json({ object: "list", data: (await mcp.grants(c.req.param("label"))).map(wireMcpGrant) }))
    .post("/servers/:label/grants", async (c) => {
      const body = parseWithSchema(grantBody, await readJsonBody(c));
      if (!(await maas.keys.get(body.key_id))) throw new NotFoundError({ message: `API key ${body.key_id} not found`, param: "key_id", code: "key_not_found" });
      return c.json(wireMcpGrant(await mcp.grant(c.req.param("label"), body.key_id, body.tools ?? undefined)), 201);
    })
    .delete("/servers/:label/grants/:keyId", async (c) => {
      await mcp.revoke(c.req.param("label"), c.req.param("keyId"));
      return c.json({ object: "mcp_grant", server: c.req.param("label"), key_id: c.req.param("keyId"), deleted: true });
    });
}
