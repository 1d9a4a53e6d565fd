import { aggregateReport, type EvaluationReport } from "./evaluation-report.js";
import { formatMetric } from "./format-metric.js";

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** Markdown: one table of task metrics per model (value ± stderr [95% bootstrap]), then the tag aggregates. */
export function renderReportMarkdown(report: EvaluationReport): string {
  const lines = [`# ${cell(report.title)}`, "", `Generated ${report.generatedAt}. Values in percent: mean ± standard error [bootstrap 95% interval].`, ""];
  const aggregates = aggregateReport(report);
  for (const model of report.models) {
    lines.push(`## ${cell(model.model)}`, "", "| task | convention | metric | value | n | tags |", "|---|---|---|---|---|---|");
    for (const task of model.tasks) {
      for (const metric of task.metrics) {
        const tags = [task.tags.dimension, ...task.tags.capabilities].join(", ");
        lines.push(`| ${cell(task.task)} | ${task.convention ?? ""} | ${cell(metric.name)}${metric.name === task.primaryMetric ? " *" : ""} | ${formatMetric(metric)} | ${metric.count} | ${cell(tags)} |`);
      }
    }
    const modelAggregates = aggregates.find((entry) => entry.model === model.model)?.aggregates ?? [];
    if (modelAggregates.length > 0) {
      lines.push("", "| tag | macro | micro | tasks |", "|---|---|---|---|");
      for (const aggregate of modelAggregates) {
        lines.push(`| ${cell(aggregate.tag)} | ${(aggregate.macro * 100).toFixed(2)} | ${(aggregate.micro * 100).toFixed(2)} | ${cell(aggregate.tasks.join(", "))} |`);
      }
    }
    lines.push("");
  }
  lines.push("`*` marks each task's primary metric, the one aggregated by tag.", "");
  return lines.join("\n");
}
