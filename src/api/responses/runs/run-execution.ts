import type { KeyPrincipal } from "../../../maas/index.js";
import {
  toResponseUsage,
  type OutputItem,
  type ResponseItem,
  type ResponseObject,
  type ResponseStreamEventBody,
  type RunCommit,
  type RunRecord,
  type RunStatus,
  type RunStep,
} from "../../../responses/index.js";
import type { Usage } from "../../../spec/index.js";
import type { ServerTool } from "../../../server-tools/index.js";
import type { AgentRun } from "./agents/agent-run.js";
import { RunEventWriter } from "./run-event-writer.js";
import { RunNotActiveError } from "./run-not-active-error.js";
import type { ModelStepOutput, RunExecutionDependencies } from "./run-types.js";

/**
 * The in-memory state of one execution of a run, over its durable log: the response as last committed, the steps,
 * the event writer. Every change is an event (or several) followed by one commit that covers them.
 */
export class RunExecution {
  readonly writer: RunEventWriter;
  response: ResponseObject;
  steps: RunStep[];
  /** The request's own tools for this run (`mcp` servers' tools, `file_search`), by the name the model calls. */
  readonly requestTools = new Map<string, ServerTool>();
  /** The agent running this response (`agent: {id, version}`), once loaded; undefined for plain responses. */
  agent: AgentRun | undefined = undefined;

  constructor(
    readonly dependencies: RunExecutionDependencies,
    readonly run: RunRecord,
    steps: RunStep[],
    nextEvent: number,
    readonly principal: KeyPrincipal,
    /** Items before this response's own: the previous responses' conversation. */
    readonly history: ResponseItem[],
    readonly signal: AbortSignal,
  ) {
    this.response = run.response;
    this.steps = steps;
    this.writer = new RunEventWriter(dependencies.store, dependencies.hub, run.response.id, nextEvent);
  }

  get id(): string {
    return this.response.id;
  }

  get nextStepIndex(): number {
    return (this.steps.at(-1)?.index ?? -1) + 1;
  }

  emit(event: ResponseStreamEventBody): Promise<unknown> {
    this.signal.throwIfAborted();
    return this.writer.emit(event);
  }

  /** Commits one unit; stops the execution (RunNotActiveError) when the response was ended meanwhile. */
  async commit(commit: RunCommit): Promise<void> {
    if (!(await this.dependencies.store.commit(this.id, commit, this.writer.next))) throw new RunNotActiveError(this.id);
    if (commit.response) this.response = commit.response;
    if (commit.insertStep) this.steps.push({ ...commit.insertStep, output: undefined });
    const completed = commit.completeStep;
    if (completed) {
      const step = this.steps.find((candidate) => candidate.index === completed.index);
      if (step) Object.assign(step, { status: "completed", output: completed.output });
    }
  }

  /** Appends output items (with their step's commit). */
  withOutput(items: OutputItem[]): ResponseObject {
    return { ...this.response, output: [...this.response.output, ...items] };
  }

  /** Moves the run to `running` (from queued, or awaiting approval) with a `response.in_progress` event. */
  async markRunning(): Promise<void> {
    if (this.response.status === "in_progress" && this.response.run_status === "running") return;
    const response: ResponseObject = { ...this.response, status: "in_progress", run_status: "running" };
    await this.emit({ type: "response.in_progress", response });
    await this.commit({ response });
  }

  /** Pauses until every approval request is decided: `in_progress`, run state `awaiting_approval`. */
  async pause(): Promise<void> {
    if (this.response.run_status === "awaiting_approval") return;
    const response: ResponseObject = { ...this.response, status: "in_progress", run_status: "awaiting_approval" };
    await this.emit({ type: "response.in_progress", response });
    await this.commit({ response });
  }

  /** Ends the run with its terminal event. */
  async finish(status: Extract<RunStatus, "completed" | "incomplete" | "failed" | "cancelled">, details: Partial<Pick<ResponseObject, "error" | "incomplete_details">> = {}): Promise<void> {
    const response: ResponseObject = {
      ...this.response,
      status,
      run_status: status,
      completed_at: status === "completed" ? Math.floor(this.dependencies.now() / 1000) : null,
      usage: this.usage(),
      error: details.error ?? null,
      incomplete_details: details.incomplete_details ?? null,
    };
    const type = status === "completed" ? "response.completed" : status === "incomplete" ? "response.incomplete" : "response.failed";
    if (status !== "cancelled") await this.emit({ type, response });
    else await this.writer.emit({ type, response }); // a cancel's own abort must not stop its last event
    await this.commit({ response });
  }

  /** Every model call's usage so far, summed (null before the first reported usage). */
  usage(): ResponseObject["usage"] {
    const usages = this.modelOutputs().flatMap((output) => (output.usage ? [output.usage] : []));
    if (usages.length === 0) return null;
    const sum = (pick: (usage: Usage) => number | undefined) => usages.reduce((total, usage) => total + (pick(usage) ?? 0), 0);
    return toResponseUsage({ inputTokens: sum((usage) => usage.inputTokens), outputTokens: sum((usage) => usage.outputTokens), cachedInputTokens: sum((usage) => usage.cachedInputTokens) });
  }

  modelOutputs(): ModelStepOutput[] {
    return this.steps.filter((step) => step.kind === "model_call" && step.status === "completed").map((step) => step.output as ModelStepOutput);
  }
}
