import type { Logger } from "pino";
import { z } from "zod";
import { holderIsGone, type JobQueue, JobRunner, latestJobsOfSubjects } from "../../../jobs/index.js";
import { toPrincipal, type KeyPrincipal } from "../../../maas/index.js";
import { createRunStore, type ApprovalRecord, type ResponseObject, type ResponseRepository } from "../../../responses/index.js";
import type { ServerToolRegistry } from "../../../server-tools/index.js";
import { ConflictError, NotFoundError } from "../../../spec/index.js";
import type { Database } from "../../../store/index.js";
import type { MeteringDependencies } from "../../metering/index.js";
import type { AgentRunSupport } from "./agents/agent-run-support.js";
import { executeRun } from "./execute-run.js";
import { RunEventHub } from "./run-event-hub.js";
import type { RunExecutionDependencies, RunOutcome } from "./run-types.js";

/** The job kind that executes a response run. */
export const responseRunJobKind = "response-run";

export type ResponseRunServiceOptions = {
  database: Database;
  responses: ResponseRepository;
  tools: ServerToolRegistry;
  /** The metering flow's dependencies (every model call of a run is metered like a request of its key). */
  metering: MeteringDependencies;
  logger: Logger;
  now?: (() => number) | undefined;
  /** How long an approval request waits before it is denied as "expired" (config `approvalTtlSeconds`). */
  approvalTtlSeconds: number;
  /** Called once a run reached its end (completed, incomplete, failed, cancelled): the trace export hook. */
  onRunEnded?: ((responseId: string) => void) | undefined;
  /** Agents for responses that name one (`agent: {id, version}`). Absent: such runs fail. */
  agents?: Omit<AgentRunSupport, "database"> | undefined;
  /** MCP servers for requests' `mcp` tools; knowledge bases for `file_search`. Absent: those tools offer nothing. */
  mcp?: RunExecutionDependencies["mcp"];
  knowledge?: RunExecutionDependencies["knowledge"];
  /** See JobRunner. Defaults to 30 000 ms / 1000 ms. */
  jobLeaseMs?: number | undefined;
  jobPollIntervalMs?: number | undefined;
  /** Where run jobs are delivered from (default: the embedded runner polls the jobs table). */
  jobQueue?: JobQueue | undefined;
};

type ActiveRun = { controller: AbortController; cancelRequested: boolean; relaunch: boolean; done: Promise<void> };

const payloadSchema = z.object({ responseId: z.string() });

/**
 * Durable response runs: each run is a `response-run` job (lease + heartbeat, taken over after a crash) whose handler
 * executes the run from its log. Also cancels runs, decides approvals (the inbox) and expires them.
 */
export type ResponseRunService = ReturnType<typeof createResponseRunService>;

export function createResponseRunService(options: ResponseRunServiceOptions) {
  const now = options.now ?? Date.now;
  const store = createRunStore(options.database, { now });
  const hub = new RunEventHub();
  const active = new Map<string, ActiveRun>();
  const execution: RunExecutionDependencies = {
    store,
    responses: options.responses,
    tools: options.tools,
    metering: options.metering,
    hub,
    logger: options.logger,
    now,
    approvalTtlMs: options.approvalTtlSeconds * 1000,
    mcp: options.mcp,
    knowledge: options.knowledge,
    agents: options.agents && { ...options.agents, database: options.database },
    async loadPrincipal(keyId) {
      const record = await options.metering.maas.keys.get(keyId);
      if (!record || record.revokedAt !== undefined || (record.expiresAt !== undefined && record.expiresAt <= now())) return undefined;
      return toPrincipal(record);
    },
  };

  const runner: JobRunner = new JobRunner({
    database: options.database,
    now,
    leaseMs: options.jobLeaseMs,
    pollIntervalMs: options.jobPollIntervalMs,
    queue: options.jobQueue,
    concurrency: 16,
    onError: (error) => options.logger.warn({ err: error }, "response run bookkeeping failed; retrying"),
    onTakeover: ({ job, previousHolder }) => options.logger.warn({ responseId: job.subject, previousHolder }, "resuming a response run whose process is gone"),
    handlers: {
      [responseRunJobKind]: async (job, context) => {
        const { responseId } = payloadSchema.parse(job.payload);
        if (active.has(responseId)) return { outcome: "already_running" };
        const controller = new AbortController();
        const follow = () => controller.abort(context.signal.reason);
        if (context.signal.aborted) follow();
        else context.signal.addEventListener("abort", follow, { once: true });
        let finished!: () => void;
        const entry: ActiveRun = { controller, cancelRequested: false, relaunch: false, done: new Promise<void>((resolve) => (finished = resolve)) };
        active.set(responseId, entry);
        let outcome: RunOutcome | undefined;
        try {
          outcome = await executeRun(execution, responseId, { signal: controller.signal, cancelRequested: () => entry.cancelRequested });
          if (outcome === "finished") options.onRunEnded?.(responseId);
          return { outcome };
        } finally {
          context.signal.removeEventListener("abort", follow);
          active.delete(responseId);
          hub.notify(responseId);
          finished();
          // A decision arrived while this execution was pausing: go on with it.
          if (outcome === "awaiting_approval" && entry.relaunch) void launch(responseId, job.keyId).catch((error: unknown) => options.logger.warn({ err: error }, "relaunching a response run failed"));
        }
      },
    },
  });

  /** Starts executing a run here unless it already runs (here, or as a live job elsewhere). */
  async function launch(responseId: string, keyId: string | undefined): Promise<void> {
    const running = active.get(responseId);
    if (running) {
      running.relaunch = true;
      return;
    }
    // A job of another live process executes it (or will); this runner's own job of it is ending (not active here).
    const job = (await latestJobsOfSubjects(options.database, [responseId])).get(responseId);
    if (job?.status === "queued") return;
    if (job?.status === "running" && job.holder !== runner.holder && !holderIsGone(job, { now: now(), leaseMs: options.jobLeaseMs })) return;
    await runner.enqueue({ kind: responseRunJobKind, subject: responseId, keyId, payload: { responseId }, runHere: true });
  }

  /** Denies approvals whose time is over and continues their runs. */
  async function expireApprovals(): Promise<void> {
    for (const approval of await store.dueApprovals(now())) {
      if (await store.decide(approval.id, { approve: false, reason: "expired", decidedBy: null, continuedBy: approval.responseId })) {
        await launch(approval.responseId, approval.keyId);
      }
    }
  }
  let expiryTimer: NodeJS.Timeout | undefined;

  return {
    store,
    hub,

    start(): void {
      runner.start();
      expiryTimer ??= setInterval(() => void expireApprovals().catch((error: unknown) => options.logger.warn({ err: error }, "expiring approvals failed; retrying")), 1000);
      expiryTimer.unref();
    },

    /** Stops executing: runs in flight are aborted and left to the next start (their jobs go back to the queue). */
    async dispose(): Promise<void> {
      if (expiryTimer) clearInterval(expiryTimer);
      await runner.dispose();
    },

    launch,

    /** Resolves once this process's execution of the run (if any) has ended. */
    async settled(responseId: string): Promise<void> {
      await active.get(responseId)?.done;
    },

    /**
     * Cancels a run: an execution here is aborted (its in-flight model call too) and ends the run `cancelled`;
     * otherwise its job is cancelled and the run ended here. Pending approvals are denied ("cancelled").
     */
    async cancel(response: ResponseObject): Promise<void> {
      const running = active.get(response.id);
      if (running) {
        running.cancelRequested = true;
        running.controller.abort(new Error(`response ${response.id} was cancelled`));
        await running.done;
      }
      for (const job of await runner.list({ subject: response.id, statuses: ["queued", "running"] })) await runner.cancel(job.id).catch(() => undefined);
      const run = await store.load(response.id);
      let closedHere = false;
      if (run && (run.response.status === "queued" || run.response.status === "in_progress")) {
        const cancelled: ResponseObject = { ...run.response, status: "cancelled", run_status: "cancelled", completed_at: null };
        closedHere = await store.close(cancelled, "response.failed");
      }
      for (const approval of await store.approvalsOf(response.id)) {
        if (approval.status === "pending") await store.decide(approval.id, { approve: false, reason: "cancelled", decidedBy: null, continuedBy: response.id });
      }
      if (closedHere) options.onRunEnded?.(response.id);
      hub.notify(response.id);
    },

    /** Pending approvals a key may decide: its own runs' (an admin key: every run's). */
    async pendingApprovals(principal: KeyPrincipal, limit: number): Promise<ApprovalRecord[]> {
      return store.pendingApprovals(principal.isAdmin ? undefined : principal.id, limit);
    },

    /** Decides an approval from the inbox and continues its run; 404 when the key may not see it, 409 when decided. */
    async decide(id: string, principal: KeyPrincipal, decision: { approve: boolean; reason: string | null }): Promise<ApprovalRecord> {
      const approval = await store.approval(id);
      if (!approval || (!principal.isAdmin && approval.keyId !== principal.id)) throw new NotFoundError({ message: `Approval request with id '${id}' not found.`, param: "approval_id" });
      if (!(await store.decide(id, { ...decision, decidedBy: principal.id, continuedBy: approval.responseId }))) {
        throw new ConflictError({ message: `Approval request '${id}' was already decided (${(await store.approval(id))?.status ?? "unknown"}).`, param: "approval_id", code: "approval_already_decided" });
      }
      await launch(approval.responseId, approval.keyId);
      return (await store.approval(id))!;
    },
  };
}
