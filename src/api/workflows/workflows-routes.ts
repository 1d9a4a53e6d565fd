import { Hono, type Context } from "hono";
import { z } from "zod";
import {
  parseWorkflowDefinition,
  parseWorkflowFile,
  type WorkflowAccessor,
  type WorkflowDefinition,
  type WorkflowRecord,
  type WorkflowRunView,
  type WorkflowService,
  type WorkflowVersionRecord,
} from "../../workflows/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { readTextBody } from "../request/read-text-body.js";

type Request = Context<AppEnvironment>;

const versionNumber = z.number({ error: "version must be an integer of 1 or more" }).int({ error: "version must be an integer of 1 or more" }).min(1, { error: "version must be an integer of 1 or more" });
const inputs = z.record(z.string(), z.unknown()).default({});
const runBody = z.strictObject({ inputs, version: versionNumber.optional() });
/** `POST /v1/workflow-runs`: the workflow (id or name) and version to run, like a response's `agent: {id, version}`. */
const startRunBody = z.strictObject({
  workflow: z.strictObject({ id: z.string({ error: "workflow.id must be a workflow id or name" }).min(1, { error: "workflow.id must be a workflow id or name" }), version: versionNumber.optional() }),
  inputs,
});
const queryInteger = (field: string) =>
  z.coerce
    .number({ error: `${field} must be an integer of 1 or more` })
    .int({ error: `${field} must be an integer of 1 or more` })
    .min(1, { error: `${field} must be an integer of 1 or more` });
/** `GET /v1/workflows/{id}/versions`: paging by version number. */
const listVersionsQuery = z.strictObject({
  after: queryInteger("after").optional(),
  limit: queryInteger("limit").max(100, { error: "limit must be an integer from 1 to 100" }).default(20),
  order: z.enum(["asc", "desc"], { error: 'order must be "asc" or "desc"' }).default("desc"),
});
/** `?version=N` of `GET /v1/workflows/{id}`. */
const versionQuery = z.strictObject({ version: queryInteger("version").optional() });
const inputBody = z.strictObject({ step_id: z.string().optional(), input: z.unknown() });

const accessorOf = (c: Request): WorkflowAccessor => {
  const principal = c.get("principal");
  return { keyId: principal.id, isAdmin: principal.isAdmin, allowCodeExecution: principal.allowCodeExecution };
};

/** A workflow as JSON: its latest version's definition (or the version asked for, `version` then that number). */
export function wireWorkflow(workflow: WorkflowRecord) {
  return {
    id: workflow.id,
    object: "workflow",
    name: workflow.name,
    owner_id: workflow.ownerId,
    version: workflow.version,
    latest_version: workflow.version,
    created_at: Math.floor(workflow.createdAt / 1000),
    updated_at: Math.floor(workflow.updatedAt / 1000),
    definition: workflow.definition,
  };
}

/** One version of a workflow as JSON. */
export function wireWorkflowVersion(version: WorkflowVersionRecord) {
  return { object: "workflow.version", workflow_id: version.workflowId, version: version.version, created_at: Math.floor(version.createdAt / 1000), definition: version.definition };
}

/** A run and its step log as JSON. */
export function wireWorkflowRun(run: WorkflowRunView) {
  return {
    id: run.id,
    object: "workflow.run",
    workflow_id: run.workflowId,
    workflow_version: run.workflowVersion,
    status: run.status,
    inputs: run.inputs,
    output: run.output,
    error: run.error,
    created_at: Math.floor(run.createdAt / 1000),
    finished_at: run.finishedAt === null ? null : Math.floor(run.finishedAt / 1000),
    steps: run.steps.map((step) => ({ id: step.key, status: step.status, output: step.output, error: step.error, attempts: step.attempts })),
  };
}

/** A workflow definition from a JSON body, or YAML with a YAML content type. */
async function readDefinition(c: Request): Promise<WorkflowDefinition> {
  const yaml = /yaml/.test(c.req.header("content-type") ?? "");
  return yaml ? parseWorkflowFile(await readTextBody(c), "yaml") : parseWorkflowDefinition(await readJsonBody(c));
}

/**
 * `/v1/workflows` and `/v1/workflow-runs` (aiplus extensions): versioned workflow definitions (JSON, or YAML with a
 * YAML content type; each update is a new version) owned by the key that created them, their durable runs (each
 * records the version it ran), cancel, and answers to human_input steps.
 */
export function workflowsRoutes(dependencies: { workflows: WorkflowService }): Hono<AppEnvironment> {
  const { workflows } = dependencies;
  return new Hono<AppEnvironment>()
    .post("/workflows", async (c) => c.json(wireWorkflow(await workflows.create(accessorOf(c), await readDefinition(c)))))
    .get("/workflows", async (c) => c.json({ object: "list", data: (await workflows.list(accessorOf(c))).map(wireWorkflow) }))
    .get("/workflows/:id", async (c) => {
      const { version } = parseWithSchema(versionQuery, c.req.query());
      if (version === undefined) return c.json(wireWorkflow(await workflows.get(accessorOf(c), c.req.param("id"))));
      const found = await workflows.getVersion(accessorOf(c), c.req.param("id"), version);
      return c.json({ ...wireWorkflow(found.workflow), version: found.version.version, definition: found.version.definition });
    })
    .post("/workflows/:id", async (c) => {
      const definition = await readDefinition(c);
      return c.json(wireWorkflow(await workflows.update(accessorOf(c), c.req.param("id"), definition)));
    })
    .get("/workflows/:id/versions", async (c) => {
      const { after, limit, order } = parseWithSchema(listVersionsQuery, c.req.query());
      const page = await workflows.listVersions(accessorOf(c), c.req.param("id"), { after, limit, order });
      return c.json({ object: "list", workflow_id: page.workflow.id, data: page.items.map(wireWorkflowVersion), first_id: page.items[0]?.version ?? null, last_id: page.items.at(-1)?.version ?? null, has_more: page.hasMore });
    })
    .delete("/workflows/:id", async (c) => {
      const workflow = await workflows.remove(accessorOf(c), c.req.param("id"));
      return c.json({ id: workflow.id, object: "workflow.deleted", deleted: true });
    })
    .post("/workflows/:id/runs", async (c) => {
      const body = parseWithSchema(runBody, await readJsonBody(c));
      return c.json(wireWorkflowRun(await workflows.startRun(accessorOf(c), c.req.param("id"), body.inputs, { version: body.version })));
    })
    .post("/workflow-runs", async (c) => {
      const body = parseWithSchema(startRunBody, await readJsonBody(c));
      const started = await workflows.startRun(accessorOf(c), body.workflow.id, body.inputs, { version: body.workflow.version, versionParam: "workflow.version", workflowParam: "workflow.id" });
      return c.json(wireWorkflowRun(started));
    })
    .get("/workflow-runs/:id", async (c) => c.json(wireWorkflowRun(await workflows.getRun(accessorOf(c), c.req.param("id")))))
    .post("/workflow-runs/:id/cancel", async (c) => c.json(wireWorkflowRun(await workflows.cancel(accessorOf(c), c.req.param("id")))))
    .post("/workflow-runs/:id/input", async (c) => {
      const body = parseWithSchema(inputBody, await readJsonBody(c));
      return c.json(wireWorkflowRun(await workflows.provideInput(accessorOf(c), c.req.param("id"), { stepId: body.step_id, input: body.input })));
    });
}
