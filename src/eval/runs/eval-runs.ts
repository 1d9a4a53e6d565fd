import path from "node:path";
import { randomBytes } from "node:crypto";
import { holderIsGone, latestJobsOfSubjects } from "../../jobs/index.js";
import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import type { BootstrapOptions } from "../metrics/bootstrap-interval.js";
import { type PairedDifference, pairedDifference } from "../metrics/paired-difference.js";
import { summarizeRecords } from "../scoring/run-multiple-choice-items.js";
import { builtInTasks, getBuiltInTask } from "../tasks/built-in-tasks.js";
import { createEvalItemRepository, type EvalItemRecord } from "../store/eval-item-repository.js";
import { createEvalRunRepository, type EvalRunDisplayStatus, evalRunDisplayStatus, type EvalRunFilter, type EvalRunRecord } from "../store/eval-run-repository.js";
import type { EvalRunDependencies } from "./eval-run-dependencies.js";
import { type EvalRunRequest, evalRunRequestSchema, type ParsedEvalRunRequest } from "./eval-run-request.js";
import { conventionOf, loadRunPlan } from "./run-plan.js";
import { taskOfRun } from "./run-task.js";

const defaultNewId = (): string => `evr_${randomBytes(16).toString("base64url")}`;

/** Validates the request (task, dataset, scoring) and stores a `pending` run. */
export async function createEvalRun(dependencies: EvalRunDependencies, request: EvalRunRequest): Promise<EvalRunRecord> {
  const parsed = evalRunRequestSchema.safeParse(request);
  if (!parsed.success) throw new InvalidRequestError({ message: `invalid eval run: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}` });
  const config = withDatasetOverride(parsed.data);
  const definition = config.taskDefinition;
  if (definition) {
    if (config.task !== definition.name) throw new InvalidRequestError({ message: `task ${config.task} differs from the definition's name ${definition.name}`, param: "task" });
    if (builtInTasks[definition.name]) throw new InvalidRequestError({ message: `custom task name ${definition.name} is a built-in task; rename it`, param: "task_definition.name", code: "invalid_task" });
  } else getBuiltInTask(config.task);
  const scoring = conventionOf(config);
  if (scoring === "llama.cpp" && config.task === "truthfulqa_mc2" && !definition) {
    throw new InvalidRequestError({ message: "truthfulqa_mc2 has no llama.cpp rule; use --scoring lm-eval", param: "scoring" });
  }
  const plan = await loadRunPlan((await dependencies.datasetPaths?.(config)) ?? config); // fails now (missing file, bad format) rather than in the background
  const runs = createEvalRunRepository(dependencies.database);
  const id = (dependencies.newId ?? defaultNewId)();
  const at = (dependencies.now ?? Date.now)();
  await runs.insert({ id, task: config.task, model: config.model, scoring, config, keyId: config.keyId, createdAt: at });
  await runs.recordTotal(id, plan.items.length, at);
  return (await runs.get(id))!;
}

/** A custom task run with a `dataPath`: that file replaces the definition's dataset (format from its extension). */
function withDatasetOverride(config: ParsedEvalRunRequest): ParsedEvalRunRequest {
  const definition = config.taskDefinition;
  if (!definition || config.dataPath === undefined) return config;
  return { ...config, dataPath: path.resolve(config.dataPath), taskDefinition: { ...definition, dataset: { path: path.resolve(config.dataPath) } } };
}

/** A run, with `interruption` set when it is stored as running but the process executing it is gone. */
export async function getEvalRun(dependencies: EvalRunDependencies, id: string): Promise<EvalRunRecord> {
  const run = await createEvalRunRepository(dependencies.database).get(id);
  if (!run) throw new NotFoundError({ message: `no eval run ${id}`, param: "id" });
  return (await withInterruptions(dependencies, [run]))[0]!;
}

/** Filter of {@link listEvalRuns}: `status` may be `interrupted` (running runs whose process is gone). */
export type EvalRunListFilter = Omit<EvalRunFilter, "status"> & { status?: EvalRunDisplayStatus | undefined };

/** Runs, newest first; a running run whose process is gone is marked (shown as `interrupted`). */
export async function listEvalRuns(dependencies: EvalRunDependencies, filter: EvalRunListFilter = {}): Promise<EvalRunRecord[]> {
  const stored = filter.status === "interrupted" ? "running" : filter.status;
  const runs = await withInterruptions(dependencies, await createEvalRunRepository(dependencies.database).list({ ...filter, status: stored }));
  return filter.status === undefined ? runs : runs.filter((run) => evalRunDisplayStatus(run) === filter.status);
}

/**
 * Marks the `running` runs whose job's holder is gone (killed or crashed process: heartbeat older than the lease, or its
 * pid gone from this host). A run executed without a job (in-process library use) is left as it is.
 */
async function withInterruptions(dependencies: EvalRunDependencies, runs: EvalRunRecord[]): Promise<EvalRunRecord[]> {
  const running = runs.filter((run) => run.status === "running");
  if (running.length === 0) return runs;
  const jobs = await latestJobsOfSubjects(dependencies.database, running.map((run) => run.id));
  const now = (dependencies.now ?? Date.now)();
  return runs.map((run) => {
    const job = run.status === "running" ? jobs.get(run.id) : undefined;
    if (!job) return run;
    const alive = job.status === "queued" || (job.status === "running" && !holderIsGone(job, { now, leaseMs: dependencies.jobLeaseMs }));
    return alive ? run : { ...run, interruption: { holder: job.holder, lastHeartbeatAt: job.heartbeatAt } };
  });
}

/** A run's per-item records, in item order. */
export async function listEvalRunItems(dependencies: EvalRunDependencies, id: string, options: { offset?: number; limit?: number } = {}): Promise<EvalItemRecord[]> {
  await getEvalRun(dependencies, id);
  return createEvalItemRepository(dependencies.database).list(id, options);
}

/**
 * Marks a pending or running run `cancelled`. A process executing it notices at its next commit and stops
 * (in-process callers can also abort the signal they passed). Returns the run; false-y no-op when finished.
 */
export async function cancelEvalRun(dependencies: EvalRunDependencies, id: string): Promise<EvalRunRecord> {
  const runs = createEvalRunRepository(dependencies.database);
  const run = await getEvalRun(dependencies, id);
  if (run.status === "pending" || run.status === "running") {
    const items = await createEvalItemRepository(dependencies.database).list(id);
    const metrics = items.length > 0 ? summarizeRecords(items) : run.metrics;
    await runs.finish(id, { status: "cancelled", metrics, at: (dependencies.now ?? Date.now)() });
  }
  return getEvalRun(dependencies, id);
}

export type EvalRunComparison = PairedDifference & {
  runA: string;
  runB: string;
  task: string;
  metric: string;
};

/**
 * Paired difference `b − a` of one metric over the items both runs scored (matched by dataset item id), with its
 * standard error and bootstrap 95% interval. Both runs must be of the same task.
 */
export async function compareEvalRuns(
  dependencies: EvalRunDependencies,
  runA: string,
  runB: string,
  options: { metric?: string | undefined; bootstrap?: BootstrapOptions | undefined } = {},
): Promise<EvalRunComparison> {
  const [a, b] = await Promise.all([getEvalRun(dependencies, runA), getEvalRun(dependencies, runB)]);
  if (a.task !== b.task) throw new InvalidRequestError({ message: `runs ${runA} (${a.task}) and ${runB} (${b.task}) are of different tasks`, param: "run" });
  const metric = options.metric ?? taskOfRun(a).primaryMetric;
  const items = createEvalItemRepository(dependencies.database);
  const valuesOf = async (id: string) => {
    const values = new Map<string, number>();
    for (const item of await items.list(id)) {
      const value = item.metrics[metric];
      if (value !== undefined) values.set(item.itemId, value);
    }
    return values;
  };
  const [valuesA, valuesB] = await Promise.all([valuesOf(runA), valuesOf(runB)]);
  if (valuesA.size === 0 || valuesB.size === 0) throw new InvalidRequestError({ message: `metric ${metric} has no items in one of the runs`, param: "metric" });
  return { runA, runB, task: a.task, metric, ...pairedDifference(valuesA, valuesB, options.bootstrap) };
}

/** Metrics of stored items: mean, standard error and bootstrap 95% interval per metric. */
export function summarizeItems(items: readonly EvalItemRecord[], bootstrap?: BootstrapOptions) {
  return summarizeRecords(items, bootstrap);
}
