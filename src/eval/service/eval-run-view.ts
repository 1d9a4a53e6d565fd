import type { EvaluationReport, ModelResults } from "../report/evaluation-report.js";
import type { EvalRunComparison } from "../runs/eval-runs.js";
import type { EvalItemRecord } from "../store/eval-item-repository.js";
import { evalRunDisplayStatus, type EvalRunRecord } from "../store/eval-run-repository.js";
import { customJudgeModel } from "../runs/custom-run-plan.js";
import { evalRunRequestSchema } from "../runs/eval-run-request.js";
import { taskOfRun } from "../runs/run-task.js";
import { getBuiltInTask } from "../tasks/built-in-tasks.js";
import type { ScoringConvention } from "../types.js";

const seconds = (epochMs: number | undefined) => (epochMs === undefined ? null : Math.floor(epochMs / 1000));

/** The primary metric of a built-in task (`acc`, `exact_match,strict-match`, `pass@1`, …); for any run use {@link taskOfRun}. */
export function primaryMetricOf(task: string): string {
  return getBuiltInTask(task).primaryMetric;
}

/** A run as the API and `--json` show it: status, progress, metrics (standard error, bootstrap 95% interval). */
export function evalRunView(run: EvalRunRecord) {
  const task = taskOfRun(run);
  const primaryMetric = task.primaryMetric;
  const metrics = (run.metrics ?? []).map((metric) => ({
    name: metric.name,
    value: metric.value,
    standard_error: metric.standardError ?? null,
    interval: metric.interval ?? null,
    count: metric.count,
  }));
  const primary = metrics.find((metric) => metric.name === primaryMetric);
  return {
    id: run.id,
    object: "eval.run" as const,
    task: run.task,
    /** Whether the task came from a user's definition (stored in `config.taskDefinition`). */
    custom_task: task.custom,
    tags: task.tags,
    judge_model: judgeModelOf(run),
    model: run.model,
    scoring: run.scoring ?? null,
    /** The stored status, or `interrupted` for a running run whose process is gone (see `interrupted`). */
    status: evalRunDisplayStatus(run),
    /** Who held an interrupted run and its last heartbeat (seconds); null otherwise. */
    interrupted: run.interruption ? { holder: run.interruption.holder ?? null, last_heartbeat_at: seconds(run.interruption.lastHeartbeatAt) } : null,
    progress: { done: run.doneItems, total: run.totalItems },
    primary_metric: primaryMetric,
    /** The primary metric (accuracy for multiple-choice tasks) with its interval, once there are items. */
    accuracy: primary ? { value: primary.value, interval: primary.interval, standard_error: primary.standard_error } : null,
    metrics,
    backend: run.backend ?? null,
    error: run.error ?? null,
    created_at: seconds(run.createdAt),
    finished_at: seconds(run.finishedAt),
    config: run.config,
  };
}

export type EvalRunView = ReturnType<typeof evalRunView>;

/** The judge model a run uses: its custom scorer's own judge, else the run's `judgeModel`; null when none. */
function judgeModelOf(run: EvalRunRecord): string | null {
  const parsed = evalRunRequestSchema.safeParse(run.config);
  if (!parsed.success) return null;
  const request = parsed.data;
  return (request.taskDefinition ? customJudgeModel(request.taskDefinition, request) : request.judgeModel) ?? null;
}

/** One item record as the API shows it. */
export function evalItemView(item: EvalItemRecord) {
  return {
    index: item.itemIndex,
    item_id: item.itemId,
    prompt: item.prompt,
    choices: item.choices ?? null,
    scores: item.scores ?? null,
    prediction: item.prediction ?? null,
    reference: item.reference ?? null,
    metrics: item.metrics,
    details: item.details ?? null,
  };
}

/** A paired comparison as the API shows it. */
export function evalComparisonView(comparison: EvalRunComparison) {
  return {
    object: "eval.comparison" as const,
    task: comparison.task,
    metric: comparison.metric,
    run_a: comparison.runA,
    run_b: comparison.runB,
    /** mean(b) − mean(a) over the items both runs scored. */
    difference: comparison.difference,
    standard_error: comparison.standardError ?? null,
    interval: comparison.interval ?? null,
    count: comparison.count,
    unmatched: comparison.unmatched,
  };
}

/** A report over finished runs: one model entry per model, one task result per run (the latest run wins per task). */
export function reportOfRuns(runs: readonly EvalRunRecord[], options: { title?: string; generatedAt: string }): EvaluationReport {
  const models = new Map<string, ModelResults>();
  for (const run of runs) {
    const entry = models.get(run.model) ?? { model: run.model, tasks: [] };
    models.set(run.model, entry);
    const task = taskOfRun(run);
    const result = {
      task: run.task,
      tags: task.tags,
      convention: run.scoring as ScoringConvention | undefined,
      primaryMetric: task.primaryMetric,
      metrics: run.metrics ?? [],
    };
    const existing = entry.tasks.findIndex((candidate) => candidate.task === run.task);
    if (existing >= 0) entry.tasks[existing] = result;
    else entry.tasks.push(result);
  }
  return { title: options.title ?? "aiplus evaluation report", generatedAt: options.generatedAt, models: [...models.values()] };
}
