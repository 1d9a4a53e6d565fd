import { aggregateByTags, type TagAggregate } from "../metrics/aggregate-by-tags.js";
import type { MetricSummary, ScoringConvention, TaskTags } from "../types.js";

export type TaskResult = {
  task: string;
  tags: TaskTags;
  convention?: ScoringConvention | undefined;
  /** Name of the metric that represents the task in aggregates (e.g. `acc`). */
  primaryMetric: string;
  metrics: MetricSummary[];
};

export type ModelResults = { model: string; tasks: TaskResult[] };

export type EvaluationReport = {
  title: string;
  /** ISO timestamp, injected by the caller. */
  generatedAt: string;
  models: ModelResults[];
};

export type ModelAggregates = { model: string; aggregates: TagAggregate[] };

/** Per model: the tag aggregates of each task's primary metric. */
export function aggregateReport(report: EvaluationReport): ModelAggregates[] {
  return report.models.map((model) => ({
    model: model.model,
    aggregates: aggregateByTags(
      model.tasks.flatMap((task) => {
        const metric = task.metrics.find((candidate) => candidate.name === task.primaryMetric);
        return metric ? [{ task: task.task, tags: task.tags, value: metric.value, count: metric.count }] : [];
      }),
    ),
  }));
}

/** Report as JSON, with the aggregates included. */
export function renderReportJson(report: EvaluationReport): string {
  return `${JSON.stringify({ ...report, aggregates: aggregateReport(report) }, null, 2)}\n`;
}
