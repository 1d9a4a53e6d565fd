import { Hono } from "hono";
import { z } from "zod";
import type { KeyPrincipal } from "../../maas/index.js";
import { NotFoundError } from "../../spec/index.js";
import { runStates, type RunScope, type RunTraces } from "../../traces/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import type { ResponseRunService } from "../responses/index.js";
import { toRunStepView, toRunView, toTraceView } from "./run-wire.js";

const limitError = { error: "limit must be an integer from 1 to 100" };
const listQuery = z.object({
  status: z.enum(runStates, { error: `status must be one of ${runStates.join(", ")}` }).optional(),
  after: z.string().min(1, { error: "after must be a run id" }).optional(),
  limit: z.coerce.number(limitError).int(limitError).min(1, limitError).max(100, limitError).default(20),
  agent: z.string().regex(/^agent_[0-9a-f]+$/, { error: "agent must be an agent id (agent_…)" }).optional(),
});
const afterStepError = { error: "after must be a step index (an integer ≥ 0)" };
const stepsQuery = z.object({
  after: z.coerce.number(afterStepError).int(afterStepError).min(0, afterStepError).optional(),
  limit: z.coerce.number(limitError).int(limitError).min(1, limitError).max(100, limitError).default(100),
});

export type RunsRouteDependencies = { runs: ResponseRunService; traces: RunTraces };

/**
 * Runs (aiplus extension; a run's id is its response's id): `GET /` lists the key's runs newest first (an admin key:
 * every key's; `status`, `agent`, `after`, `limit`), `GET /{id}` shows one (state, steps, tokens, cost), `GET /{id}/steps`
 * its steps with their content (`after`, `limit`), `GET /{id}/trace` its spans, `POST /{id}/cancel` cancels it (an ended run is returned as it is). Another key's run is a 404.
 */
export function runsRoutes({ runs, traces }: RunsRouteDependencies): Hono<AppEnvironment> {
  const scopeOf = (principal: KeyPrincipal): RunScope => ({ keyId: principal.isAdmin ? undefined : principal.id });
  const notFound = (id: string) => new NotFoundError({ message: `Run with id '${id}' not found.`, param: "run_id" });
  return new Hono<AppEnvironment>()
    .get("/", async (c) => {
      const query = parseWithSchema(listQuery, { status: c.req.query("status"), after: c.req.query("after"), limit: c.req.query("limit"), agent: c.req.query("agent") });
      const page = await traces.list({ ...scopeOf(c.get("principal")), state: query.status, agentId: query.agent, after: query.after, limit: query.limit });
      return c.json({ object: "list", data: page.runs.map(toRunView), first_id: page.runs[0]?.id ?? null, last_id: page.runs.at(-1)?.id ?? null, has_more: page.hasMore });
    })
    .get("/:id", async (c) => {
      const run = await traces.get(c.req.param("id"), scopeOf(c.get("principal")));
      if (!run) throw notFound(c.req.param("id"));
      return c.json(toRunView(run));
    })
    .get("/:id/steps", async (c) => {
      const query = parseWithSchema(stepsQuery, { after: c.req.query("after"), limit: c.req.query("limit") });
      const page = await traces.steps(c.req.param("id"), scopeOf(c.get("principal")), query);
      if (!page) throw notFound(c.req.param("id"));
      const data = page.steps.map(toRunStepView);
      return c.json({ object: "list", run_id: c.req.param("id"), data, first_id: data[0]?.index ?? null, last_id: data.at(-1)?.index ?? null, has_more: page.hasMore });
    })
    .get("/:id/trace", async (c) => {
      const trace = await traces.trace(c.req.param("id"), scopeOf(c.get("principal")));
      if (!trace) throw notFound(c.req.param("id"));
      return c.json(toTraceView(trace));
    })
    .post("/:id/cancel", async (c) => {
      const id = c.req.param("id");
      const scope = scopeOf(c.get("principal"));
      const record = (await traces.get(id, scope)) && (await runs.store.load(id));
      if (!record) throw notFound(id);
      await runs.cancel(record.response);
      return c.json(toRunView((await traces.get(id, scope))!));
    });
}
