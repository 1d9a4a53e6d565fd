import { dimensionScores, reportDimensions } from "../report/dimension-scores.js";
import type { EvaluationReport } from "../report/evaluation-report.js";
import { taskOfRun } from "../runs/run-task.js";
import type { EvalRunRecord } from "../store/eval-run-repository.js";
import { reportOfRuns } from "./eval-run-view.js";

/** Runs oldest first, so that the newest run of a model and task is the one a report keeps. */
function oldestFirst(runs: readonly EvalRunRecord[]): EvalRunRecord[] {
  return [...runs].sort((left, right) => left.createdAt - right.createdAt || left.id.localeCompare(right.id));
}

/** The report over finished runs (one task result per model and task: the newest run wins). */
export function evalReportOf(runs: readonly EvalRunRecord[], options: { title?: string | undefined; generatedAt: Date }): EvaluationReport {
  return reportOfRuns(oldestFirst(runs), { title: options.title, generatedAt: options.generatedAt.toISOString() });
}

/**
 * A report as the API shows it (`GET /v1/evals/report`): per model, a score for each of the four dimensions
 * (general, industry, application, safety; `null` = not evaluated, never 0) and the task results it is made of.
 */
export function evalReportView(runs: readonly EvalRunRecord[], report: EvaluationReport, generatedAt: Date) {
  const ordered = oldestFirst(runs);
  const runOf = new Map<string, EvalRunRecord>();
  for (const run of ordered) runOf.set(`${run.model}\u0000${run.task}`, run);
  const scores = dimensionScores(report);
  return {
    object: "eval.report" as const,
    title: report.title,
    generated_at: Math.floor(generatedAt.getTime() / 1000),
    dimensions: [...reportDimensions],
    runs: ordered.map((run) => run.id),
    models: report.models.map((model) => ({
      model: model.model,
      dimensions: (scores.find((entry) => entry.model === model.model)?.dimensions ?? []).map((entry) => ({
        dimension: entry.dimension,
        score: entry.score ?? null,
        item_weighted_score: entry.itemWeightedScore ?? null,
        tasks: entry.tasks,
        count: entry.count,
      })),
      tasks: model.tasks.map((task) => {
        const run = runOf.get(`${model.model}\u0000${task.task}`);
        const primary = task.metrics.find((metric) => metric.name === task.primaryMetric);
        return {
          task: task.task,
          run_id: run?.id ?? null,
          custom_task: run ? taskOfRun(run).custom : false,
          dimension: task.tags.dimension,
          capabilities: task.tags.capabilities,
          primary_metric: task.primaryMetric,
          value: primary?.value ?? null,
          standard_error: primary?.standardError ?? null,
          interval: primary?.interval ?? null,
          count: primary?.count ?? 0,
        };
      }),
    })),
  };
}

export type EvalReportView = ReturnType<typeof evalReportView>;
