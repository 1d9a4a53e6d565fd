import { Hono, type Context } from "hono";
import {
  type AgentAccessor,
  agentReferenceChecks,
  type AgentService,
  type AgentFileFormat,
  formatAgentFile,
  parseAgentDefinition,
  parseAgentFile,
} from "../../agents/index.js";
import { isModelAllowed } from "../../maas/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { knowledgeAccessorOf } from "../knowledge/knowledge-accessor-of.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { readTextBody } from "../request/read-text-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { formatQuery, listAgentsQuery, listVersionsQuery, memoryUserQuery, patchMemoryBody, putMemoryBody, versionQuery } from "./agent-request-schemas.js";
import { wireAgent, wireAgentSummary, wireAgentVersion, wireMemoryBlock } from "./agent-wire.js";

type Request = Context<AppEnvironment>;

/**
 * `/v1/agents` (an aiplus extension): versioned agent definitions owned by the key that created them (another key's
 * agent is a 404; admin keys see all), their export and import as a JSON or YAML file, and their long-term memory
 * blocks, scoped to the calling key and `?user=`.
 */
export function agentsRoutes(dependencies: RouteDependencies & { agents: AgentService }): Hono<AppEnvironment> {
  const { agents, knowledge } = dependencies;
  const accessor = (c: Request): AgentAccessor => ({ keyId: c.get("principal").id, isAdmin: c.get("principal").isAdmin });
  const checks = (c: Request) => {
    const principal = c.get("principal");
    return agentReferenceChecks({
      listModels: () => dependencies.gateway.listModels(),
      modelAllowed: (name) => isModelAllowed(principal, name),
      accessKnowledgeBase: knowledge ? (name) => knowledge.access(knowledgeAccessorOf(principal), name) : undefined,
    });
  };
  const query = (c: Request) => c.req.query();
  const userOf = (c: Request) => parseWithSchema(memoryUserQuery, { user: c.req.query("user") }).user;

  return new Hono<AppEnvironment>()
    .post("/import", async (c) => {
      const text = await readTextBody(c);
      const format: AgentFileFormat = parseWithSchema(formatQuery, query(c)).format ?? (c.req.header("content-type")?.includes("json") ? "json" : "yaml");
      const imported = await agents.import(accessor(c), parseAgentFile(text, format), checks(c));
      return c.json({ ...wireAgent(imported), import_outcome: imported.outcome });
    })
    .post("/", async (c) => c.json(wireAgent(await agents.create(accessor(c), parseAgentDefinition(await readJsonBody(c)), checks(c)))))
    .get("/", async (c) => {
      const { after, limit, order } = parseWithSchema(listAgentsQuery, query(c));
      const page = await agents.list(accessor(c), { after, limit, order });
      return c.json({ object: "list", data: page.items.map(wireAgentSummary), first_id: page.items[0]?.id ?? null, last_id: page.items.at(-1)?.id ?? null, has_more: page.hasMore });
    })
    .get("/:id", async (c) => c.json(wireAgent(await agents.get(accessor(c), c.req.param("id"), parseWithSchema(versionQuery, query(c)).version))))
    .post("/:id", async (c) => c.json(wireAgent(await agents.update(accessor(c), c.req.param("id"), parseAgentDefinition(await readJsonBody(c)), checks(c)))))
    .delete("/:id", async (c) => {
      const agent = await agents.remove(accessor(c), c.req.param("id"));
      return c.json({ id: agent.id, object: "agent.deleted", deleted: true });
    })
    .get("/:id/versions", async (c) => {
      const { after, limit, order } = parseWithSchema(listVersionsQuery, query(c));
      const page = await agents.listVersions(accessor(c), c.req.param("id"), { after, limit, order });
      return c.json({ object: "list", data: page.items.map(wireAgentVersion), first_id: page.items[0]?.version ?? null, last_id: page.items.at(-1)?.version ?? null, has_more: page.hasMore });
    })
    .get("/:id/export", async (c) => {
      const format = parseWithSchema(formatQuery, query(c)).format ?? "json";
      const { agent, version } = await agents.get(accessor(c), c.req.param("id"), parseWithSchema(versionQuery, query(c)).version);
      return c.body(formatAgentFile(version.definition, format), 200, {
        "content-type": format === "json" ? "application/json; charset=utf-8" : "application/yaml; charset=utf-8",
        "content-disposition": `attachment; filename="${agent.name}.agent.${format}"`,
      });
    })
    .get("/:id/memory", async (c) => {
      const user = userOf(c);
      const { agent, blocks } = await agents.readMemory(accessor(c), c.req.param("id"), user);
      return c.json({ object: "list", agent_id: agent.id, user, data: blocks.map(wireMemoryBlock) });
    })
    .put("/:id/memory/:label", async (c) => {
      const body = parseWithSchema(putMemoryBody, await readJsonBody(c));
      return c.json(wireMemoryBlock(await agents.writeMemory(accessor(c), c.req.param("id"), userOf(c), c.req.param("label"), { kind: "set", value: body.value }, "value")));
    })
    .patch("/:id/memory/:label", async (c) => {
      const body = parseWithSchema(patchMemoryBody, await readJsonBody(c));
      const change = body.op === "append" ? { kind: "append" as const, text: body.text } : { kind: "replace" as const, old: body.old, new: body.new };
      return c.json(wireMemoryBlock(await agents.writeMemory(accessor(c), c.req.param("id"), userOf(c), c.req.param("label"), change, body.op === "append" ? "text" : "new")));
    });
}
