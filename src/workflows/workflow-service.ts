import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import { holderIsGone, type JobQueue, JobRunner, latestJobsOfSubjects } from "../jobs/index.js";
import { ConflictError, InvalidRequestError, NotFoundError, PermissionDeniedError } from "../spec/index.js";
import type { Database } from "../store/index.js";
import { executeWorkflowRun, waitingKind, type WaitingStepOutput, type WorkflowStepRunners } from "./execute-workflow-run.js";
import { localWorkflowOwnerId, type WorkflowAccessor, type WorkflowRecord, type WorkflowRunRecord, type WorkflowStepRecord, type WorkflowVersionRecord } from "./types.js";
import { validateHumanInput, validateRunInputs } from "./validate-run-inputs.js";
import type { WorkflowDefinition } from "./workflow-definition-schema.js";
import { requiresCodeExecution } from "./workflow-graph.js";
import { createWorkflowRepository } from "./workflow-repository.js";

/** The job kind that executes a workflow run. */
export const workflowRunJobKind = "workflow-run";

export type WorkflowServiceOptions = {
  database: Database;
  /** The work of llm, agent, tool and code steps (metered model calls, server tools, the sandbox). */
  runners: WorkflowStepRunners;
  logger: Logger;
  now?: (() => number) | undefined;
  /** See JobRunner. Defaults to 30 000 ms / 1000 ms. */
  jobLeaseMs?: number | undefined;
  jobPollIntervalMs?: number | undefined;
  /** Where run jobs are delivered from (default: the embedded runner polls the jobs table). */
  jobQueue?: JobQueue | undefined;
  /**
   * How long a tool call step waits for a person's approval before it is denied as "expired" (config
   * `approvalTtlSeconds`, as for response runs); undefined: never (the CLI's service, which executes nothing).
   */
  approvalTtlMs?: number | undefined;
};

/** A run with its step log. */
export type WorkflowRunView = WorkflowRunRecord & { steps: WorkflowStepRecord[] };

/** A waiting step as an item of the approvals inbox: `human_input` (answered with an input) or `tool_call`. */
export type WorkflowApproval = {
  id: string;
  kind: WaitingStepOutput["kind"];
  runId: string;
  workflowId: string;
  workflowVersion: number;
  stepKey: string;
  keyId: string;
  output: WaitingStepOutput;
  createdAt: number;
  /** When a tool call is denied as "expired" if nobody decides; null for questions (they wait until answered). */
  expiresAt: number | null;
};

const approvalIdPrefix = "wfappr_";

/** The inbox id of a run's waiting step (it encodes both), and back (undefined: not a workflow approval id). */
export const workflowApprovalId = (runId: string, stepKey: string): string => `${approvalIdPrefix}${Buffer.from(`${runId}\n${stepKey}`).toString("base64url")}`;
export function parseWorkflowApprovalId(id: string): { runId: string; stepKey: string } | undefined {
  if (!id.startsWith(approvalIdPrefix)) return undefined;
  const [runId, stepKey, extra] = Buffer.from(id.slice(approvalIdPrefix.length), "base64url").toString("utf8").split("\n");
  return runId && stepKey && extra === undefined ? { runId, stepKey } : undefined;
}

type ActiveRun = { controller: AbortController; cancelRequested: boolean; relaunch: boolean; done: Promise<void> };

const payloadSchema = z.object({ runId: z.string() });

export type WorkflowService = ReturnType<typeof createWorkflowService>;

/**
 * Workflows (definitions owned by keys; admins and the local operator see all) and their durable runs: each run is a
 * `workflow-run` job (lease + heartbeat, taken over after a crash) whose handler executes it from its step log.
 */
export function createWorkflowService(options: WorkflowServiceOptions) {
  const now = options.now ?? Date.now;
  const repository = createWorkflowRepository(options.database, { now });
  const active = new Map<string, ActiveRun>();
  const ownerOf = (accessor: WorkflowAccessor) => accessor.keyId ?? localWorkflowOwnerId;
  const sees = (accessor: WorkflowAccessor, ownerId: string) => accessor.isAdmin || accessor.keyId === undefined || ownerOf(accessor) === ownerId;

  const runner: JobRunner = new JobRunner({
    database: options.database,
    now,
    leaseMs: options.jobLeaseMs,
    pollIntervalMs: options.jobPollIntervalMs,
    queue: options.jobQueue,
    concurrency: 16,
    onError: (error) => options.logger.warn({ err: error }, "workflow run bookkeeping failed; retrying"),
    onTakeover: ({ job, previousHolder }) => options.logger.warn({ runId: job.subject, previousHolder }, "resuming a workflow run whose process is gone"),
    handlers: {
      [workflowRunJobKind]: async (job, context) => {
        const { runId } = payloadSchema.parse(job.payload);
        if (active.has(runId)) return { outcome: "already_running" };
        const controller = new AbortController();
        const follow = () => controller.abort(context.signal.reason);
        if (context.signal.aborted) follow();
        else context.signal.addEventListener("abort", follow, { once: true });
        let finished!: () => void;
        const entry: ActiveRun = { controller, cancelRequested: false, relaunch: false, done: new Promise<void>((resolve) => (finished = resolve)) };
        active.set(runId, entry);
        let outcome: string | undefined;
        try {
          outcome = await executeWorkflowRun({ repository, runners: options.runners, logger: options.logger }, runId, controller.signal);
          return { outcome };
        } catch (error) {
          if (controller.signal.aborted && !entry.cancelRequested) throw error; // a stop: the job goes back to the queue
          if (!controller.signal.aborted) {
            options.logger.error({ err: error, runId }, "a workflow run failed");
            await repository.moveRun(runId, ["running", "queued"], "failed", { error: { code: "internal_error", message: error instanceof Error ? error.message : String(error) } });
          }
          return { outcome: "ended" };
        } finally {
          context.signal.removeEventListener("abort", follow);
          active.delete(runId);
          finished();
          if (outcome === "awaiting_input" && entry.relaunch) void launch(runId, job.keyId).catch((error: unknown) => options.logger.warn({ err: error }, "relaunching a workflow run failed"));
        }
      },
    },
  });

  /** Starts executing a run here unless it already runs (here, or as a live job elsewhere). */
  async function launch(runId: string, keyId: string | undefined): Promise<void> {
    const running = active.get(runId);
    if (running) {
      running.relaunch = true;
      return;
    }
    const job = (await latestJobsOfSubjects(options.database, [runId])).get(runId);
    if (job?.status === "queued") return;
    if (job?.status === "running" && job.holder !== runner.holder && !holderIsGone(job, { now: now(), leaseMs: options.jobLeaseMs })) return;
    await runner.enqueue({ kind: workflowRunJobKind, subject: runId, keyId: keyId === localWorkflowOwnerId ? undefined : keyId, payload: { runId }, runHere: true });
  }

  /** The workflow `reference` (id or name) names as the accessor sees it; errors name `param`. */
  async function access(accessor: WorkflowAccessor, reference: string, param = "workflow_id"): Promise<WorkflowRecord> {
    const visible = (await repository.find(reference)).filter((workflow) => sees(accessor, workflow.ownerId));
    const chosen = visible.find((workflow) => workflow.id === reference) ?? visible.find((workflow) => workflow.ownerId === ownerOf(accessor)) ?? (visible.length === 1 ? visible[0] : undefined);
    if (chosen) return chosen;
    if (visible.length > 1) throw new InvalidRequestError({ message: `${visible.length} workflows are named '${reference}'; use an id`, param });
    throw new NotFoundError({ message: `No workflow found with id or name '${reference}'.`, param, code: "workflow_not_found" });
  }

  async function accessRun(accessor: WorkflowAccessor, id: string): Promise<WorkflowRunRecord> {
    const run = await repository.getRun(id);
    if (!run || !sees(accessor, run.keyId)) throw new NotFoundError({ message: `No workflow run found with id '${id}'.`, param: "run_id", code: "workflow_run_not_found" });
    return run;
  }

  function assertMayRunCode(accessor: WorkflowAccessor, definition: WorkflowDefinition): void {
    if (!requiresCodeExecution(definition) || accessor.isAdmin || accessor.keyId === undefined || accessor.allowCodeExecution) return;
    const index = definition.steps.findIndex((step) => step.type === "code" || (step.type === "map" && step.step.type === "code"));
    throw new PermissionDeniedError({
      message: "this workflow runs code (in the sandbox); only admin keys and keys an admin granted code execution (allow_code_execution) may create or run it",
      param: `steps[${index}].type`,
      code: "code_execution_not_allowed",
    });
  }

  const expiryOf = (kind: WaitingStepOutput["kind"], waitingSince: number): number | null =>
    kind === "tool_call" && options.approvalTtlMs !== undefined ? waitingSince + options.approvalTtlMs : null;

  /** Denies tool call steps nobody decided in time ("expired", like a person's denial) and continues their runs. */
  async function expireApprovals(): Promise<void> {
    const at = now();
    for (const step of await repository.waitingSteps(undefined, 1000)) {
      const output = step.output as WaitingStepOutput;
      const expiresAt = expiryOf(waitingKind(output), step.updatedAt);
      if (expiresAt === null || expiresAt > at) continue;
      if (await repository.resolveWaiting(step.runId, step.key, { status: "running", output: { ...output, approved: false, reason: "expired" } })) await launch(step.runId, step.keyId);
    }
  }
  let expiryTimer: NodeJS.Timeout | undefined;

  async function view(run: WorkflowRunRecord): Promise<WorkflowRunView> {
    return { ...run, steps: [...(await repository.steps(run.id)).values()] };
  }

  return {
    repository,

    start(): void {
      runner.start();
      if (options.approvalTtlMs !== undefined) {
        expiryTimer ??= setInterval(() => void expireApprovals().catch((error: unknown) => options.logger.warn({ err: error }, "expiring workflow approvals failed; retrying")), 1000);
        expiryTimer.unref();
      }
    },

    /** Stops executing: runs in flight are aborted and left to the next start (their jobs go back to the queue). */
    async dispose(): Promise<void> {
      if (expiryTimer) clearInterval(expiryTimer);
      expiryTimer = undefined;
      await runner.dispose();
    },

    /** Resolves once this process's execution of the run (if any) has ended. */
    async settled(runId: string): Promise<void> {
      await active.get(runId)?.done;
    },

    async create(accessor: WorkflowAccessor, definition: WorkflowDefinition): Promise<WorkflowRecord> {
      assertMayRunCode(accessor, definition);
      return repository.create({ id: `wf_${randomBytes(16).toString("hex")}`, ownerId: ownerOf(accessor), definition });
    },

    get: (accessor: WorkflowAccessor, reference: string) => access(accessor, reference),

    /** A version of a workflow the accessor sees (404 on `param`, default `version`, when it has no such version). */
    async getVersion(accessor: WorkflowAccessor, reference: string, version: number, param = "version"): Promise<{ workflow: WorkflowRecord; version: WorkflowVersionRecord }> {
      const workflow = await access(accessor, reference);
      const found = await repository.getVersion(workflow.id, version);
      if (!found) throw new NotFoundError({ message: `Workflow '${workflow.name}' has no version ${version} (its latest is ${workflow.version}).`, param, code: "workflow_version_not_found" });
      return { workflow, version: found };
    },

    /** Saves a new version of a workflow the accessor sees (its definition may rename it); runs started before keep theirs. */
    async update(accessor: WorkflowAccessor, reference: string, definition: WorkflowDefinition): Promise<WorkflowRecord> {
      const workflow = await access(accessor, reference);
      assertMayRunCode(accessor, definition);
      const updated = await repository.addVersion(workflow.id, definition);
      if (!updated) throw new NotFoundError({ message: `No workflow found with id or name '${reference}'.`, param: "workflow_id", code: "workflow_not_found" });
      return updated;
    },

    /** A page of a workflow's versions, by version number. */
    async listVersions(accessor: WorkflowAccessor, reference: string, page: { after: number | undefined; limit: number; order: "asc" | "desc" }): Promise<{ workflow: WorkflowRecord; items: WorkflowVersionRecord[]; hasMore: boolean }> {
      const workflow = await access(accessor, reference);
      return { workflow, ...(await repository.listVersions(workflow.id, page)) };
    },

    async list(accessor: WorkflowAccessor): Promise<WorkflowRecord[]> {
      return repository.list(accessor.isAdmin || accessor.keyId === undefined ? undefined : ownerOf(accessor));
    },

    async remove(accessor: WorkflowAccessor, reference: string): Promise<WorkflowRecord> {
      const workflow = await access(accessor, reference);
      await repository.remove(workflow.id);
      return workflow;
    },

    /**
     * Starts a run of a workflow with `inputs` (checked against its declared inputs); it executes in the background.
     * `version` picks an earlier version (default: the latest); `workflowParam` / `versionParam` name them in a 404.
     */
    async startRun(accessor: WorkflowAccessor, reference: string, inputs: Record<string, unknown>, options: { version?: number | undefined; versionParam?: string | undefined; workflowParam?: string | undefined } = {}): Promise<WorkflowRunView> {
      const workflow = await access(accessor, reference, options.workflowParam);
      const chosen = options.version === undefined || options.version === workflow.version ? { version: workflow.version, definition: workflow.definition } : await repository.getVersion(workflow.id, options.version);
      if (!chosen) {
        throw new NotFoundError({ message: `Workflow '${workflow.name}' has no version ${options.version} (its latest is ${workflow.version}).`, param: options.versionParam ?? "version", code: "workflow_version_not_found" });
      }
      assertMayRunCode(accessor, chosen.definition);
      const id = `wfrun_${randomBytes(16).toString("hex")}`;
      const keyId = ownerOf(accessor);
      await repository.createRun({ id, workflowId: workflow.id, workflowVersion: chosen.version, keyId, definition: chosen.definition, inputs: validateRunInputs(chosen.definition, inputs) });
      await launch(id, keyId);
      return view((await repository.getRun(id))!);
    },

    async getRun(accessor: WorkflowAccessor, id: string): Promise<WorkflowRunView> {
      return view(await accessRun(accessor, id));
    },

    /** Cancels a run: an execution here is aborted (its in-flight model call too), so are its agent steps' child runs; the run ends `cancelled`. */
    async cancel(accessor: WorkflowAccessor, id: string): Promise<WorkflowRunView> {
      const run = await accessRun(accessor, id);
      const moved = await repository.moveRun(run.id, ["queued", "running", "awaiting_input"], "cancelled");
      const running = active.get(run.id);
      if (running) {
        running.cancelRequested = true;
        running.controller.abort(new Error(`workflow run ${run.id} was cancelled`));
        await running.done;
      }
      for (const job of await runner.list({ subject: run.id, statuses: ["queued", "running"] })) await runner.cancel(job.id).catch(() => undefined);
      if (!moved && (await repository.getRun(run.id))?.status !== "cancelled") {
        throw new ConflictError({ message: `Workflow run '${run.id}' already ended (${run.status}).`, param: "run_id", code: "workflow_run_finished" });
      }
      // Child work still going (an agent step's child run, perhaps executed by another process) is cancelled too.
      await options.runners.cancelStepWork?.(run.keyId, [...(await repository.steps(run.id)).values()]);
      return view((await repository.getRun(run.id))!);
    },

    /** Answers a run's waiting `human_input` step (`stepId` may be left out when only one waits) and continues the run. */
    async provideInput(accessor: WorkflowAccessor, id: string, answer: { stepId: string | undefined; input: unknown }): Promise<WorkflowRunView> {
      const run = await accessRun(accessor, id);
      const waiting = [...(await repository.steps(run.id)).values()].filter((step) => step.status === "waiting" && waitingKind(step.output) === "human_input");
      const step = answer.stepId === undefined ? (waiting.length === 1 ? waiting[0] : undefined) : waiting.find((candidate) => candidate.key === answer.stepId);
      if (!step) {
        const message = waiting.length === 0 ? `Workflow run '${run.id}' is not waiting for input.` : answer.stepId === undefined ? `Several steps wait for input (${waiting.map((entry) => entry.key).join(", ")}); name one with step_id.` : `Step '${answer.stepId}' is not waiting for input.`;
        throw new ConflictError({ message, param: "step_id", code: "not_awaiting_input" });
      }
      validateHumanInput(((step.output as { schema?: Record<string, unknown> | null } | null)?.schema) ?? null, answer.input);
      if (!(await repository.provideInput(run.id, step.key, answer.input))) throw new ConflictError({ message: `Step '${step.key}' was already answered.`, param: "step_id", code: "not_awaiting_input" });
      await launch(run.id, run.keyId);
      return view((await repository.getRun(run.id))!);
    },

    /** Waiting steps for the approvals inbox: the accessor's runs' (admins and the local operator: every run's). */
    async pendingApprovals(accessor: WorkflowAccessor, limit: number): Promise<WorkflowApproval[]> {
      const steps = await repository.waitingSteps(accessor.isAdmin || accessor.keyId === undefined ? undefined : ownerOf(accessor), limit);
      return steps.map((step) => {
        const output = step.output as WaitingStepOutput;
        return { id: workflowApprovalId(step.runId, step.key), kind: waitingKind(output), runId: step.runId, workflowId: step.workflowId, workflowVersion: step.workflowVersion, stepKey: step.key, keyId: step.keyId, output, createdAt: step.updatedAt, expiresAt: expiryOf(waitingKind(output), step.updatedAt) };
      });
    },

    /**
     * Decides an inbox item: a `human_input` step is answered with `input` (checked against its schema) or, denied,
     * fails the run; a `tool_call` is approved (the tool runs) or denied (the step fails). 404 when the accessor may
     * not see it, 409 when it no longer waits.
     */
    async decide(accessor: WorkflowAccessor, id: string, decision: { approve: boolean; reason: string | null; input: unknown }): Promise<WorkflowApproval> {
      const parsed = parseWorkflowApprovalId(id);
      const run = parsed && (await repository.getRun(parsed.runId));
      const step = run && sees(accessor, run.keyId) ? (await repository.steps(run.id)).get(parsed.stepKey) : undefined;
      if (!run || !step) throw new NotFoundError({ message: `Approval request with id '${id}' not found.`, param: "approval_id" });
      const output = step.output as WaitingStepOutput;
      const item: WorkflowApproval = { id, kind: waitingKind(output), runId: run.id, workflowId: run.workflowId, workflowVersion: run.workflowVersion, stepKey: step.key, keyId: run.keyId, output, createdAt: step.updatedAt, expiresAt: expiryOf(waitingKind(output), step.updatedAt) };
      const decided = () => new ConflictError({ message: `Approval request '${id}' was already decided.`, param: "approval_id", code: "approval_already_decided" });
      if (step.status !== "waiting") throw decided();
      let resolved: boolean;
      if (item.kind === "human_input") {
        if (decision.approve) {
          validateHumanInput((output as Extract<WaitingStepOutput, { kind: "human_input" }>).schema ?? null, decision.input);
          resolved = await repository.provideInput(run.id, step.key, decision.input);
        } else {
          const message = `the input of step '${step.key}' was denied${decision.reason ? `: ${decision.reason}` : ""}`;
          resolved = await repository.resolveWaiting(run.id, step.key, { status: "failed", output: step.output, error: message, runError: { code: "input_denied", message } });
        }
      } else {
        resolved = await repository.resolveWaiting(run.id, step.key, { status: "running", output: { ...output, approved: decision.approve, reason: decision.reason } });
      }
      if (!resolved) throw decided();
      if (decision.approve || item.kind === "tool_call") await launch(run.id, run.keyId);
      return item;
    },
  };
}
