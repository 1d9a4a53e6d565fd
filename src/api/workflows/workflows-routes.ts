import { Hono, type Context } from "hono";
import { z } from "zod";
import { parseWorkflowDefinition, parseWorkflowFile, type WorkflowAccessor, type WorkflowRecord, type WorkflowRunView, type WorkflowService } from "../../workflows/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { readTextBody } from "../request/read-text-body.js";

type Request = Context<AppEnvironment>;

const runBody = z.strictObject({ inputs: z.record(z.string(), z.unknown()).default({}) });
const inputBody = z.strictObject({ step_id: z.string().optional(), input: z.unknown() });

const accessorOf = (c: Request): WorkflowAccessor => {
  const principal = c.get("principal");
  return { keyId: principal.id, isAdmin: principal.isAdmin, allowCodeExecution: principal.allowCodeExecution };
};

/** A workflow as JSON. */
export function wireWorkflow(workflow: WorkflowRecord) {
  return { id: workflow.id, object: "workflow", name: workflow.name, owner_id: workflow.ownerId, created_at: Math.floor(workflow.createdAt / 1000), updated_at: Math.floor(workflow.updatedAt / 1000), definition: workflow.definition };
}

/** A run and its step log as JSON. */
export function wireWorkflowRun(run: WorkflowRunView) {
  return {
    id: run.id,
    object: "workflow.run",
    workflow_id: run.workflowId,
    status: run.status,
    inputs: run.inputs,
    output: run.output,
    error: run.error,
    created_at: Math.floor(run.createdAt / 1000),
    finished_at: run.finishedAt === null ? null : Math.floor(run.finishedAt / 1000),
    steps: run.steps.map((step) => ({ id: step.key, status: step.status, output: step.output, error: step.error, attempts: step.attempts })),
  };
}

/**
 * `/v1/workflows` and `/v1/workflow-runs` (aiplus extensions): workflow definitions (JSON, or YAML with a YAML
 * content type) owned by the key that created them, their durable runs, cancel, and answers to human_input steps.
 */
export function workflowsRoutes(dependencies: { workflows: WorkflowService }): Hono<AppEnvironment> {
  const { workflows } = dependencies;
  return new Hono<AppEnvironment>()
    .post("/workflows", async (c) => {
      const yaml = /yaml/.test(c.req.header("content-type") ?? "");
      const definition = yaml ? parseWorkflowFile(await readTextBody(c), "yaml") : parseWorkflowDefinition(await readJsonBody(c));
      return c.json(wireWorkflow(await workflows.create(accessorOf(c), definition)));
    })
    .get("/workflows", async (c) => c.json({ object: "list", data: (await workflows.list(accessorOf(c))).map(wireWorkflow) }))
    .get("/workflows/:id", async (c) => c.json(wireWorkflow(await workflows.get(accessorOf(c), c.req.param("id")))))
    .delete("/workflows/:id", async (c) => {
      const workflow = await workflows.remove(accessorOf(c), c.req.param("id"));
      return c.json({ id: workflow.id, object: "workflow.deleted", deleted: true });
    })
    .post("/workflows/:id/runs", async (c) => {
      const body = parseWithSchema(runBody, await readJsonBody(c));
      return c.json(wireWorkflowRun(await workflows.startRun(accessorOf(c), c.req.param("id"), body.inputs)));
    })
    .get("/workflow-runs/:id", async (c) => c.json(wireWorkflowRun(await workflows.getRun(accessorOf(c), c.req.param("id")))))
    .post("/workflow-runs/:id/cancel", async (c) => c.json(wireWorkflowRun(await workflows.cancel(accessorOf(c), c.req.param("id")))))
    .post("/workflow-runs/:id/input", async (c) => {
      const body = parseWithSchema(inputBody, await readJsonBody(c));
      return c.json(wireWorkflowRun(await workflows.provideInput(accessorOf(c), c.req.param("id"), { stepId: body.step_id, input: body.input })));
    });
}
