import { setTimeout as sleep } from "node:timers/promises";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { AiplusError } from "../../spec/index.js";
import { requiresCodeExecution, type WorkflowAccessor, type WorkflowDefinition, type WorkflowRunView, type WorkflowService } from "../../workflows/index.js";
import type { McpCaller } from "../types.js";
import type { ExposedToolProvider } from "./exposed-tool.js";

/** How often a tool call looks at a run that is still queued or running between the run's own settle signals. */
const pollMs = 100;

/**
 * `workflow__<name>`: one tool per workflow the key may run (its own; admin keys: every workflow; a workflow with
 * code steps only for keys allowed to execute code). Its input schema is the workflow's declared inputs. Calling it
 * runs the workflow (a durable run) to its end and returns its output; a run that waits at a `human_input` step
 * returns at once with its run id (answer it at `POST /v1/workflow-runs/{id}/input`). A caller that goes away cancels the run.
 */
export function workflowTools(workflows: WorkflowService): ExposedToolProvider {
  return async (caller) => {
    const accessor = accessorOf(caller);
    const seen = new Set<string>();
    const tools = [];
    for (const workflow of await workflows.list(accessor)) {
      if (seen.has(workflow.name)) continue;
      if (requiresCodeExecution(workflow.definition) && !accessor.isAdmin && !accessor.allowCodeExecution) continue;
      seen.add(workflow.name);
      tools.push({
        name: `workflow__${workflow.name}`,
        title: `Run the workflow ${workflow.name}`,
        description: workflow.definition.description ?? `Runs the aiplus workflow '${workflow.name}' and returns its output.`,
        inputSchema: inputSchemaOf(workflow.definition),
        annotations: { readOnlyHint: false, openWorldHint: true },
        async run(args: Record<string, unknown>, context: { caller: McpCaller; signal: AbortSignal }): Promise<CallToolResult> {
          const runAccessor = accessorOf(context.caller);
          try {
            const started = await workflows.startRun(runAccessor, workflow.id, args);
            return toolResult(await untilSettled(workflows, runAccessor, started.id, context.signal));
          } catch (error) {
            if (!AiplusError.isInstance(error)) throw error;
            return { content: [{ type: "text", text: `${error.message}${error.param ? ` (param: ${error.param})` : ""}` }], isError: true };
          }
        },
      });
    }
    return tools;
  };
}

function accessorOf(caller: McpCaller): WorkflowAccessor {
  return { keyId: caller.keyId, isAdmin: caller.isAdmin, allowCodeExecution: caller.isAdmin || caller.allowCodeExecution === true };
}

/** The workflow's declared inputs as a zod object (inputs with a default are optional). */
function inputSchemaOf(definition: WorkflowDefinition): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, input] of Object.entries(definition.inputs)) {
    let schema: z.ZodType = (() => {
      switch (input.type) {
        case "string":
          return z.string();
        case "number":
          return z.number();
        case "integer":
          return z.number().int();
        case "boolean":
          return z.boolean();
        case "array":
          return z.array(z.unknown());
        case "object":
          return z.record(z.string(), z.unknown());
        default:
          return input.type satisfies never;
      }
    })();
    if (input.description !== undefined) schema = schema.describe(input.description);
    shape[name] = input.default === undefined ? schema : schema.optional();
  }
  return z.strictObject(shape);
}

async function untilSettled(workflows: WorkflowService, accessor: WorkflowAccessor, runId: string, signal: AbortSignal): Promise<WorkflowRunView> {
  const cancel = () => void workflows.cancel(accessor, runId).catch(() => undefined);
  signal.addEventListener("abort", cancel, { once: true });
  try {
    for (;;) {
      await workflows.settled(runId);
      const run = await workflows.getRun(accessor, runId);
      if (run.status !== "queued" && run.status !== "running") return run;
      signal.throwIfAborted();
      await sleep(pollMs, undefined, { signal });
    }
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}

function toolResult(run: WorkflowRunView): CallToolResult {
  const base = { run_id: run.id, status: run.status };
  switch (run.status) {
    case "completed": {
      const text = typeof run.output === "string" ? run.output : JSON.stringify(run.output ?? null);
      return { content: [{ type: "text", text }], structuredContent: { ...base, output: run.output ?? null } };
    }
    case "awaiting_input": {
      const waiting = run.steps.filter((step) => step.status === "waiting").map((step) => step.key);
      return {
        content: [{ type: "text", text: `The workflow run ${run.id} is awaiting human input at step ${waiting.join(", ") || "(unknown)"}; answer it with POST /v1/workflow-runs/${run.id}/input.` }],
        structuredContent: { ...base, waiting_steps: waiting },
      };
    }
    case "failed":
    case "cancelled":
    case "queued":
    case "running":
      return { content: [{ type: "text", text: `The workflow run ${run.id} ended ${run.status}${run.error ? `: ${run.error.message}` : ""}` }], structuredContent: { ...base, error: run.error }, isError: true };
    default:
      return run.status satisfies never;
  }
}
