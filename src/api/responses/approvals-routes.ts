import { type Context, Hono } from "hono";
import { z } from "zod";
import type { WorkflowService } from "../../workflows/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { approvalsInbox } from "./approvals-inbox.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { ResponseRunService } from "./runs/response-run-service.js";

const listQuery = z.object({
  limit: z.coerce.number({ error: "limit must be an integer from 1 to 100" }).int({ error: "limit must be an integer from 1 to 100" }).min(1, { error: "limit must be an integer from 1 to 100" }).max(100, { error: "limit must be an integer from 1 to 100" }).default(50),
});
const approveBody = z.strictObject({ input: z.unknown().optional() }, { error: "The request body must be a JSON object." });
const denyBody = z.strictObject(
  { reason: z.string({ error: "reason must be a string" }).max(1000, { error: "reason must be at most 1000 characters" }).nullish() },
  { error: "The request body must be a JSON object." },
);

/**
 * The approvals inbox: `GET /` lists what waits for a person in the key's runs (an admin key: every run's): tool
 * calls of response runs and of workflow runs (`kind: "tool_call"`) and workflows' questions (`kind: "human_input"`);
 * `POST /{id}/approve` (`{"input"}` answers a human_input) and `POST /{id}/deny` (`{"reason"}`) decide one and continue its run.
 * The same inbox as `aiplus approvals` ({@link approvalsInbox}).
 */
export function approvalsRoutes(runs: ResponseRunService, workflows?: WorkflowService | undefined): Hono<AppEnvironment> {
  const inbox = approvalsInbox(runs, workflows);
  const readBody = async (c: Context<AppEnvironment>) => (c.req.header("content-length") === "0" || c.req.raw.body === null ? {} : await readJsonBody(c));
  return new Hono<AppEnvironment>()
    .get("/", async (c) => {
      const { limit } = parseWithSchema(listQuery, { limit: c.req.query("limit") });
      return c.json({ object: "list", data: await inbox.list(c.get("principal"), limit) });
    })
    .post("/:id/approve", async (c) => {
      // The body is optional: `input` answers a workflow's human_input step.
      const { input } = parseWithSchema(approveBody, await readBody(c));
      return c.json((await inbox.decide(c.get("principal"), c.req.param("id"), { approve: true, reason: null, input: input ?? null })).view);
    })
    .post("/:id/deny", async (c) => {
      // The body is optional: no body denies without a reason.
      const { reason } = parseWithSchema(denyBody, await readBody(c));
      return c.json((await inbox.decide(c.get("principal"), c.req.param("id"), { approve: false, reason: reason ?? null, input: null })).view);
    });
}
