import { z } from "zod";
import type { Gateway } from "../../gateway/index.js";
import { type JobQueue, type JobRecord, JobRunner } from "../../jobs/index.js";
import type { Maas } from "../../maas/index.js";
import { assertSandboxAvailable } from "../../sandbox/index.js";
import type { RegisteredModel, Runtime } from "../../runtime/index.js";
import { ContentFilterError, InvalidRequestError, type RequestGuard } from "../../spec/index.js";
import type { Database } from "../../store/index.js";
import { createLocalLoglikelihoodBackend } from "../backends/local-loglikelihood-backend.js";
import { createOpenAiLoglikelihoodBackend } from "../backends/openai-loglikelihood-backend.js";
import type { EvalRunDependencies } from "../runs/eval-run-dependencies.js";
import type { EvalRunRequest } from "../runs/eval-run-request.js";
import { cancelEvalRun, compareEvalRuns, createEvalRun, type EvalRunListFilter, getEvalRun, listEvalRunItems, listEvalRuns } from "../runs/eval-runs.js";
import { resumeEvalRun } from "../runs/execute-eval-run.js";
import { customJudgeModel } from "../runs/custom-run-plan.js";
import { requiresCodeExecution } from "../runs/requires-code-execution.js";
import { parseCustomTaskValue } from "../custom/load-custom-task.js";
import { createEvalRunRepository, type EvalRunRecord } from "../store/eval-run-repository.js";
import type { EvalItemRecord } from "../store/eval-item-repository.js";
import { builtInTasks, getBuiltInTask } from "../tasks/built-in-tasks.js";
import type { TaskTags } from "../types.js";
import { createArenaService } from "./arena-service.js";
import { createEvalMeter } from "./eval-meter.js";
import { type ConfiguredDataset, EvalDatasets } from "./eval-datasets.js";
import { meteredGenerationBackend } from "./metered-generation-backend.js";
import { meteredLoglikelihoodBackend } from "./metered-loglikelihood-backend.js";

/** The job kind that executes an eval run (see src/jobs): durable, resumed by the next runner when its holder died. */
export const evalRunJobKind = "eval-run";

export type CreateEvalServiceOptions = {
  /** State folder: configured datasets (kept in `database`) are unpacked under `cache/`; a legacy `eval-datasets.json` is imported. */
  home: string;
  database: Database;
  gateway: Pick<Gateway, "languageModel" | "upstreamJsonModel">;
  runtime: Runtime;
  findLocalModel(name: string): Promise<RegisteredModel | undefined>;
  maas: Pick<Maas, "keys" | "openMeteredRequest" | "openOperatorRequest">;
  now?: (() => number) | undefined;
  /** A run whose runner's heartbeat is older than this is taken over. Defaults to 30000 ms. */
  jobLeaseMs?: number | undefined;
  /** How often a started service looks for runs to execute or resume. Defaults to 1000 ms. */
  jobPollIntervalMs?: number | undefined;
  /** Where run jobs are delivered from (default: the embedded runner polls the jobs table). */
  jobQueue?: JobQueue | undefined;
  onError?: ((error: unknown) => void) | undefined;
  /** Called when this process takes over a run whose process died (the platform logs it). */
  onRunTakeover?: ((takeover: EvalRunTakeover) => void) | undefined;
  /**
   * The guardrails of a run's model calls: the guard of the run's key (its policy), or of the local operator (the
   * default policy). Left out: the gateway's fallback guard alone applies, and provider log-likelihood scoring is
   * unguarded.
   */
  guardFor?: ((keyId: string | undefined) => Promise<RequestGuard>) | undefined;
};

/** A run claimed from a holder that is gone (killed or crashed process, or a heartbeat older than the lease). */
export type EvalRunTakeover = { runId: string; previousHolder: string; lastHeartbeatAt: number | undefined };

/** A built-in task as listed by `aiplus eval tasks` and `GET /v1/evals/tasks`. */
export type EvalTaskView = {
  name: string;
  kind: "loglikelihood" | "generative";
  description: string;
  tags: TaskTags;
  primaryMetric: string;
  formats: string[];
  /** The dataset configured for it, if any. */
  dataset: ConfiguredDataset | undefined;
};

/** A run request whose dataset may come from the configured one. */
export type NewEvalRunRequest = Omit<EvalRunRequest, "dataPath"> & { dataPath?: string | undefined };

const payloadSchema = z.object({ runId: z.string().min(1) });

/** The evaluation center of a platform: durable runs executed by a job runner, billed to the key that started them. */
export type EvalService = ReturnType<typeof createEvalService>;

/**
 * Wires eval runs to the platform: local models score in-process through the runtime's pool, provider models through
 * `/v1/completions` (echo + logprobs); generative tasks generate through the gateway. Every scoring or generation call
 * is one ledger entry billed to the run's key (none for the local operator). Runs execute as `eval-run` jobs: a server
 * resumes the runs a crashed process left behind as soon as it starts.
 */
export function createEvalService(options: CreateEvalServiceOptions) {
  const now = options.now ?? Date.now;
  const meter = createEvalMeter({ maas: options.maas });
  const datasets = new EvalDatasets({ database: options.database, home: options.home, now });
  let stopping = false;

  const dependencies: EvalRunDependencies = {
    database: options.database,
    now,
    jobLeaseMs: options.jobLeaseMs,
    async datasetPaths(request) {
      if (!request.storedDataset) return request;
      const unpacked = await datasets.unpack(request.storedDataset);
      return { ...request, dataPath: unpacked.dataPath, fewShotPath: unpacked.fewShotPath ?? request.fewShotPath };
    },
    async loglikelihoodBackend(model, run) {
      const local = await options.findLocalModel(model);
      if (local) return meteredLoglikelihoodBackend(createLocalLoglikelihoodBackend(options.runtime, local), { meter, model, keyId: run.keyId, route: "local" });
      // The model's providers by priority, with the gateway's failover (NotFoundError when none lists it).
      const upstream = await options.gateway.upstreamJsonModel(model);
      const guardFor = options.guardFor;
      // Scoring needs the exact text at the provider: a text the policy would mask or redact there is refused instead.
      const checkText = guardFor && (async (text: string, providerName: string, requestId: string | undefined) => {
        const guard = await guardFor(run.keyId);
        // Its decisions are recorded against the item's ledger entry.
        const bound = requestId !== undefined && guard.forRequest ? guard.forRequest(requestId) : guard;
        const [guarded] = await bound.guardEmbeddingCall({ name: providerName, local: false }, [text]);
        if (guarded !== text) {
          throw new ContentFilterError({ message: `an eval item contains data the guardrail policy does not let reach provider ${providerName} unmasked; it was not scored there`, code: "eval_item_guarded" });
        }
      });
      const backend = createOpenAiLoglikelihoodBackend({ upstream, checkText });
      return meteredLoglikelihoodBackend(backend, { meter, model, keyId: run.keyId, route: undefined });
    },
    async generationBackend(model, run) {
      const guardFor = options.guardFor;
      return meteredGenerationBackend(await options.gateway.languageModel(model), { meter, model, keyId: run.keyId, guardFor: guardFor && (() => guardFor(run.keyId)) });
    },
  };

  const runner = new JobRunner({
    database: options.database,
    now,
    leaseMs: options.jobLeaseMs,
    pollIntervalMs: options.jobPollIntervalMs,
    queue: options.jobQueue,
    onError: options.onError,
    onTakeover: ({ job, previousHolder, lastHeartbeatAt }) => {
      if (job.kind === evalRunJobKind && job.subject !== undefined) options.onRunTakeover?.({ runId: job.subject, previousHolder, lastHeartbeatAt });
    },
    handlers: {
      [evalRunJobKind]: async (job, context) => {
        const { runId } = payloadSchema.parse(job.payload);
        const run = await getEvalRun(dependencies, runId);
        if (run.status === "completed") return { status: run.status };
        const execution = await resumeEvalRun(dependencies, runId, { signal: context.signal, onProgress: (done, total) => context.progress(done, total) });
        if (stopping && context.signal.aborted && execution.run.status === "cancelled") {
          // Not a user's cancel: this process is stopping. The run waits (pending) for the next runner, which resumes it.
          await createEvalRunRepository(options.database).transition(runId, ["cancelled"], "pending", now());
          throw new Error(`eval run ${runId} was suspended: the runner is stopping`);
        }
        return { status: execution.run.status, computedItems: execution.computedItems.length };
      },
    },
  });

  const activeJobs = (runId: string): Promise<JobRecord[]> => runner.list({ subject: runId, statuses: ["queued", "running"] });

  return {
    dependencies,
    runner,
    /** Arena battles, votes and ratings over the same database. */
    arena: createArenaService({ database: options.database, now }),

    async tasks(): Promise<EvalTaskView[]> {
      const configured = await datasets.list();
      return Object.values(builtInTasks).map((task) => ({
        name: task.name,
        kind: task.kind,
        description: task.description,
        tags: task.tags,
        primaryMetric: task.primaryMetric,
        formats: task.formats,
        dataset: configured[task.name],
      }));
    },

    /** Configures the dataset a task uses when a run names none (its files are checked, then kept in the database). */
    setDataset: (task: string, dataset: ConfiguredDataset) => datasets.set(task, dataset),

    /**
     * Validates and stores a run (dataset read now: a bad file fails here), then queues it. With `runHere` this
     * process executes it at once; otherwise a started service (the server) picks it up.
     */
    async createRun(request: NewEvalRunRequest, createOptions: { runHere?: boolean | undefined } = {}): Promise<{ run: EvalRunRecord; job: JobRecord }> {
      const definition = request.taskDefinition;
      if (!definition) getBuiltInTask(request.task); // an unknown task or model is a 404 before anything is stored
      if (requiresCodeExecution(request)) await assertSandboxAvailable(); // 503 sandbox_unavailable: never run code without it
      await options.gateway.languageModel(request.model);
      const judgeModel = definition ? customJudgeModel(parseCustomTaskValue(definition), request) : request.judgeModel;
      if (judgeModel !== undefined) await options.gateway.languageModel(judgeModel);
      let { dataPath, fewShotPath } = request;
      let storedDataset: EvalRunRequest["storedDataset"];
      if (dataPath === undefined && !definition) {
        const configured = await datasets.get(request.task);
        if (!configured) {
          throw new InvalidRequestError({
            message: `no dataset is configured for task ${request.task}: give one with --data (or "data"), or configure it once with \`aiplus eval dataset ${request.task} PATH\``,
            param: "data",
            code: "dataset_required",
          });
        }
        // The run reads the stored files (unpacked on whichever instance executes it); the paths say where they came from.
        dataPath = configured.path;
        storedDataset = fewShotPath === undefined ? configured.stored : { ...configured.stored, fewShotName: undefined };
        fewShotPath ??= configured.fewShotPath;
      }
      const run = await createEvalRun(dependencies, { ...request, dataPath, fewShotPath, storedDataset });
      const job = await runner.enqueue({ kind: evalRunJobKind, subject: run.id, keyId: run.keyId, payload: { runId: run.id }, runHere: createOptions.runHere, progressTotal: run.totalItems });
      return { run, job };
    },

    /**
     * Continues an interrupted, failed or cancelled run: items already stored are kept. If a live process is executing
     * it, this follows that job instead; a job whose process died is taken over here.
     */
    async resumeRun(id: string): Promise<JobRecord> {
      const run = await getEvalRun(dependencies, id);
      if (run.status === "completed") throw new InvalidRequestError({ message: `eval run ${id} is already completed`, param: "id", code: "run_not_resumable" });
      const active = (await activeJobs(id))[0];
      if (!active) return runner.enqueue({ kind: evalRunJobKind, subject: id, keyId: run.keyId, payload: { runId: id }, runHere: true, progressTotal: run.totalItems });
      void runner.runPending({ subject: id }).catch((error: unknown) => options.onError?.(error));
      return active;
    },

    /** Resolves with the run once its job finished; `onProgress` sees the job's progress meanwhile. */
    async waitForRun(job: JobRecord, waitOptions: { onProgress?: ((done: number, total: number) => void) | undefined; signal?: AbortSignal | undefined } = {}): Promise<EvalRunRecord> {
      await runner.waitFor(job.id, { signal: waitOptions.signal, onUpdate: (update) => waitOptions.onProgress?.(update.progress.done, update.progress.total) });
      return getEvalRun(dependencies, job.subject!);
    },

    /** Cancels a pending or running run (whichever process executes it stops; finished items and their metrics are kept). */
    async cancelRun(id: string): Promise<EvalRunRecord> {
      const run = await cancelEvalRun(dependencies, id);
      for (const job of await activeJobs(id)) await runner.cancel(job.id);
      return run;
    },

    getRun: (id: string): Promise<EvalRunRecord> => getEvalRun(dependencies, id),
    /** Newest first; a running run whose process is gone is marked (shown as `interrupted`; a status filter may name it). */
    listRuns: (filter: EvalRunListFilter = {}): Promise<EvalRunRecord[]> => listEvalRuns(dependencies, filter),
    listItems: (id: string, page: { offset?: number; limit?: number } = {}): Promise<EvalItemRecord[]> => listEvalRunItems(dependencies, id, page),
    compareRuns: (a: string, b: string, metric?: string) => compareEvalRuns(dependencies, a, b, { metric }),

    /** Executes queued runs and resumes runs whose process died, polling until `dispose` (the server calls this). */
    start(): void {
      runner.start();
    },

    /** Stops this process's runs; they go back to the queue (pending) for the next runner. */
    async dispose(): Promise<void> {
      stopping = true;
      await runner.dispose();
    },
  };
}
