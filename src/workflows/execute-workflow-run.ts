import type { Logger } from "pino";
import { evaluateCondition, parseCondition } from "./condition-expression.js";
import { renderTemplate, renderValue, type TemplateScope, toText } from "./template.js";
import type { WorkflowRunRecord, WorkflowStepRecord } from "./types.js";
import { buildWorkflowGraph } from "./workflow-graph.js";
import type { WorkflowItemStep, WorkflowStep } from "./workflow-definition-schema.js";
import type { WorkflowRepository } from "./workflow-repository.js";

/** What a step's work gets: who pays, which step (`runId:stepKey` is stable across a resume), and the run's signal. */
export type WorkflowStepContext = {
  keyId: string;
  runId: string;
  stepKey: string;
  signal: AbortSignal;
  /** Attempts started before this one (> 0: a previous attempt was cut by a crash or a stop). */
  previousAttempts: number;
  /** What the step's log held when this execution started (e.g. the child run id an earlier attempt noted). */
  logged: unknown;
  /** Logs `output` on the running step (e.g. a child run's id, before the child starts) so a resume can reuse it. */
  note(output: unknown): Promise<void>;
};

/** The work of `llm`, `agent`, `tool` and `code` steps (the platform supplies metered model calls, tools, the sandbox). */
export type WorkflowStepRunners = {
  llm(request: { model: string; system: string | undefined; prompt: string; maxTokens: number | undefined; temperature: number | undefined; format: LlmFormat | undefined }, context: WorkflowStepContext): Promise<unknown>;
  agent(request: { agent: string; input: string }, context: WorkflowStepContext): Promise<unknown>;
  tool(request: { tool: string; arguments: unknown }, context: WorkflowStepContext): Promise<unknown>;
  code(request: { source: string; stdin: string; timeoutMs: number | undefined }, context: WorkflowStepContext): Promise<unknown>;
  /** Whether a call of the server tool waits for a person's approval (the run pauses for it, see the approvals inbox). */
  toolNeedsApproval(tool: string): boolean;
  /** Ends what the steps of a cancelled run (key `keyId`) started outside it, e.g. an agent step's child run. */
  cancelStepWork?(keyId: string, steps: readonly WorkflowStepRecord[]): Promise<void>;
};

/** What a waiting step's log holds: a `human_input` step's question, or a `tool` call awaiting approval (and the decision). */
export type WaitingStepOutput =
  | { kind: "human_input"; prompt: string; schema: Record<string, unknown> | null }
  | { kind: "tool_call"; tool: string; arguments: unknown; approved?: boolean | undefined; reason?: string | null | undefined };

/** The kind of a waiting step's log output (`human_input` for logs written before kinds existed). */
export function waitingKind(output: unknown): WaitingStepOutput["kind"] {
  return (output as { kind?: unknown } | null)?.kind === "tool_call" ? "tool_call" : "human_input";
}

const awaitingApproval = Symbol("awaiting approval");

export type LlmFormat = NonNullable<Extract<WorkflowItemStep, { type: "llm" }>["text"]>["format"];

export type ExecuteWorkflowDependencies = { repository: WorkflowRepository; runners: WorkflowStepRunners; logger: Logger };

/** How one execution ended: the run finished, paused for human input, or was no longer active (cancelled). */
export type WorkflowExecutionOutcome = "finished" | "awaiting_input" | "not_active";

class RunNotActive extends Error {}

/**
 * Executes (or resumes) a workflow run from its step log: finished steps are never run again (their logged outputs
 * are reused); a step runs once its dependencies are done and at least one of them ran (a step behind a condition's
 * branch that was not chosen is skipped, and so are steps that depend only on skipped steps). Each step's output is
 * logged before its dependants start. A failing step fails the run; a `human_input` step, or a `tool` step whose tool
 * requires approval, pauses it (`awaiting_input`) once nothing else can run (an approved call runs when it resumes). An abort (cancel, server stop) rejects with the signal's reason.
 */
export async function executeWorkflowRun(dependencies: ExecuteWorkflowDependencies, runId: string, signal: AbortSignal): Promise<WorkflowExecutionOutcome> {
  const { repository } = dependencies;
  const run = await repository.getRun(runId);
  if (!run || !(await repository.moveRun(runId, ["queued", "running", "awaiting_input"], "running"))) return "not_active";
  try {
    return await execute(dependencies, run, signal);
  } catch (error) {
    if (error instanceof RunNotActive) return "not_active";
    throw error;
  }
}

async function execute(dependencies: ExecuteWorkflowDependencies, run: WorkflowRunRecord, signal: AbortSignal): Promise<WorkflowExecutionOutcome> {
  const { repository, runners } = dependencies;
  const graph = buildWorkflowGraph(run.definition);
  const log = await repository.steps(run.id);
  const state = new Map<string, WorkflowStepRecord["status"]>();
  const outputs = new Map<string, unknown>();
  for (const id of graph.order) {
    const entry = log.get(id);
    if (entry && (entry.status === "completed" || entry.status === "skipped" || entry.status === "waiting")) {
      state.set(id, entry.status);
      if (entry.status === "completed") outputs.set(id, entry.output);
    }
  }
  const scope = (): TemplateScope => ({ inputs: run.inputs, steps: Object.fromEntries([...outputs].map(([id, output]) => [id, { output }])) });
  const write = async (key: string, stepState: Parameters<WorkflowRepository["writeStep"]>[2]) => {
    if (!(await repository.writeStep(run.id, key, stepState))) throw new RunNotActive();
  };
  let failure: { code: string; message: string } | undefined;

  /** The work of a leaf step (logged by the caller under `key`). */
  const work = (body: WorkflowItemStep, key: string, values: TemplateScope): Promise<unknown> => {
    const context: WorkflowStepContext = {
      keyId: run.keyId,
      runId: run.id,
      stepKey: key,
      signal,
      previousAttempts: log.get(key)?.attempts ?? 0,
      logged: log.get(key)?.output ?? null,
      note: (output) => write(key, { status: "running", output }),
    };
    switch (body.type) {
      case "llm":
        return runners.llm(
          {
            model: toText(renderTemplate(body.model, values)),
            system: body.system === undefined ? undefined : toText(renderTemplate(body.system, values)),
            prompt: toText(renderTemplate(body.prompt, values)),
            maxTokens: body.max_tokens,
            temperature: body.temperature,
            format: body.text?.format,
          },
          context,
        );
      case "agent":
        return runners.agent({ agent: body.agent, input: toText(renderTemplate(body.input, values)) }, context);
      case "tool":
        return runners.tool({ tool: body.tool, arguments: renderValue(body.arguments, values) }, context);
      case "code":
        return runners.code({ source: body.source, stdin: JSON.stringify({ inputs: values.inputs, steps: Object.fromEntries(Object.entries(values.steps).map(([id, step]) => [id, step.output])), item: values.item ?? null, index: values.index ?? null }), timeoutMs: body.timeout_ms }, context);
      default:
        return body satisfies never;
    }
  };

  /** A leaf step's work; `awaitingApproval` when it is a tool call that waits for a person's approval (logged `waiting`). */
  const leaf = async (body: WorkflowItemStep, key: string, values: TemplateScope): Promise<unknown> => {
    if (body.type === "tool") {
      // A logged denial holds in any process (even one where the tool is not registered).
      const logged = log.get(key)?.output as WaitingStepOutput | null | undefined;
      const decided = logged?.kind === "tool_call" ? logged.approved : undefined;
      if (decided === false) throw new Error(`the call of ${body.tool} was denied${logged?.kind === "tool_call" && logged.reason ? `: ${logged.reason}` : ""}`);
      if (decided === undefined && runners.toolNeedsApproval(body.tool)) {
        await write(key, { status: "waiting", output: { kind: "tool_call", tool: body.tool, arguments: renderValue(body.arguments, values) } satisfies WaitingStepOutput });
        return awaitingApproval;
      }
    }
    await write(key, { status: "running", start: true });
    const output = await work(body, key, values);
    await write(key, { status: "completed", output });
    return output;
  };

  const runMap = async (step: Extract<WorkflowStep, { type: "map" }>): Promise<unknown> => {
    const values = scope();
    let items = renderTemplate(step.over, values);
    if (typeof items === "string") {
      try {
        items = JSON.parse(items) as unknown;
      } catch {
        // not JSON: reported below
      }
    }
    if (!Array.isArray(items)) throw new Error(`'over' of map step '${step.id}' is not a list (got ${toText(items).slice(0, 200) || "nothing"})`);
    const list: unknown[] = items;
    if (step.step.type === "tool" && runners.toolNeedsApproval(step.step.tool)) throw new Error(`the tool ${step.step.tool} needs approval, which a map item cannot wait for; use a tool step`);
    await write(step.id, { status: "running", start: true });
    const results = new Array<unknown>(list.length);
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const index = next++;
        const key = `${step.id}[${index}]`;
        const logged = log.get(key);
        results[index] = logged?.status === "completed" ? logged.output : await leaf(step.step, key, { ...values, item: list[index], index });
      }
    };
    await Promise.all(Array.from({ length: Math.min(step.max_concurrency, list.length) }, worker));
    return results;
  };

  const runStep = async (id: string): Promise<void> => {
    const step = graph.steps.get(id)!;
    try {
      let output: unknown;
      switch (step.type) {
        case "llm":
        case "agent":
        case "tool":
        case "code":
          output = await leaf(step, id, scope());
          if (output === awaitingApproval) {
            state.set(id, "waiting");
            return;
          }
          break;
        case "map":
          output = await runMap(step);
          await write(id, { status: "completed", output });
          break;
        case "condition": {
          const values = scope();
          const chosen = step.cases.findIndex((entry) => evaluateCondition(parseCondition(entry.when), values));
          output = { case: chosen === -1 ? null : chosen, next: chosen === -1 ? (step.default ?? []) : step.cases[chosen]!.next };
          await write(id, { status: "completed", output });
          break;
        }
        case "parallel":
          output = Object.fromEntries(step.branches.map((branch) => [branch, outputs.get(branch) ?? null]));
          await write(id, { status: "completed", output });
          break;
        case "human_input":
          await write(id, { status: "waiting", output: { kind: "human_input", prompt: toText(renderTemplate(step.prompt, scope())), schema: step.schema ?? null } satisfies WaitingStepOutput });
          state.set(id, "waiting");
          return;
        default:
          step satisfies never;
      }
      outputs.set(id, output);
      state.set(id, "completed");
    } catch (error) {
      if (signal.aborted || error instanceof RunNotActive) throw error;
      const message = error instanceof Error ? error.message : String(error);
      state.set(id, "failed");
      failure ??= { code: "step_failed", message: `step '${id}' failed: ${message}` };
      await write(id, { status: "failed", error: message });
    }
  };

  /** Whether dependency `from` lets `to` run: it completed, and if it is a condition with `to` as a branch, chose it. */
  const lets = (from: string, to: string): boolean => {
    if (state.get(from) !== "completed") return false;
    if (!graph.branchTargets.get(from)?.has(to)) return true;
    return ((outputs.get(from) as { next: string[] } | undefined)?.next ?? []).includes(to);
  };

  const inFlight = new Map<string, Promise<void>>();
  let aborted: unknown;
  for (;;) {
    if (!failure && aborted === undefined) {
      for (let scan = true; scan; ) {
        scan = false;
        for (const id of graph.order) {
          if (state.has(id) || inFlight.has(id)) continue;
          const before = [...graph.dependencies.get(id)!];
          if (!before.every((dependency) => state.get(dependency) === "completed" || state.get(dependency) === "skipped")) continue;
          if (before.length > 0 && !before.some((dependency) => lets(dependency, id))) {
            await write(id, { status: "skipped" });
            state.set(id, "skipped");
            scan = true;
            continue;
          }
          inFlight.set(
            id,
            runStep(id)
              .catch((error: unknown) => {
                aborted ??= error;
              })
              .finally(() => inFlight.delete(id)),
          );
        }
      }
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight.values());
  }
  if (aborted !== undefined) throw aborted;
  signal.throwIfAborted();

  if (failure) {
    if (!(await repository.moveRun(run.id, ["running"], "failed", { error: failure }))) return "not_active";
    return "finished";
  }
  if ([...state.values()].includes("waiting")) {
    if (!(await repository.moveRun(run.id, ["running"], "awaiting_input"))) return "not_active";
    return "awaiting_input";
  }
  const last = graph.order.findLast((id) => state.get(id) === "completed");
  const output = run.definition.output !== undefined ? renderTemplate(run.definition.output, scope()) : last === undefined ? null : outputs.get(last);
  if (!(await repository.moveRun(run.id, ["running"], "completed", { output: output ?? null }))) return "not_active";
  return "finished";
}
