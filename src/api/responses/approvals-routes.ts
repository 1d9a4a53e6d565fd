import { Hono } from "hono";
import { z } from "zod";
import type { ApprovalRecord } from "../../responses/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { ResponseRunService } from "./runs/response-run-service.js";

const listQuery = z.object({
  limit: z.coerce.number({ error: "limit must be an integer from 1 to 100" }).int({ error: "limit must be an integer from 1 to 100" }).min(1, { error: "limit must be an integer from 1 to 100" }).max(100, { error: "limit must be an integer from 1 to 100" }).default(50),
});
const denyBody = z.strictObject(
  { reason: z.string({ error: "reason must be a string" }).max(1000, { error: "reason must be at most 1000 characters" }).nullish() },
  { error: "The request body must be a JSON object." },
);

/**
 * The approvals inbox: `GET /` lists pending approval requests of the key's runs (an admin key: every run's);
 * `POST /{id}/approve` and `POST /{id}/deny` (`{"reason"}`) decide one and continue its run.
 */
export function approvalsRoutes(runs: ResponseRunService): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>()
    .get("/", async (c) => {
      const { limit } = parseWithSchema(listQuery, { limit: c.req.query("limit") });
      const approvals = await runs.pendingApprovals(c.get("principal"), limit);
      return c.json({ object: "list", data: approvals.map(toApprovalView) });
    })
    .post("/:id/approve", async (c) => c.json(toApprovalView(await runs.decide(c.req.param("id"), c.get("principal"), { approve: true, reason: null }))))
    .post("/:id/deny", async (c) => {
      // The body is optional: no body denies without a reason.
      const body = c.req.header("content-length") === "0" || c.req.raw.body === null ? {} : await readJsonBody(c);
      const { reason } = parseWithSchema(denyBody, body);
      return c.json(toApprovalView(await runs.decide(c.req.param("id"), c.get("principal"), { approve: false, reason: reason ?? null })));
    });
}

function toApprovalView(approval: ApprovalRecord) {
  return {
    id: approval.id,
    object: "approval_request",
    response_id: approval.responseId,
    server_label: approval.serverLabel,
    name: approval.name,
    arguments: approval.arguments,
    status: approval.status,
    reason: approval.reason,
    created_at: Math.floor(approval.createdAt / 1000),
    expires_at: Math.floor(approval.expiresAt / 1000),
  };
}
