import { escapeHtml } from "./escape-html.js";
import { aggregateReport, type EvaluationReport } from "./evaluation-report.js";
import { formatMetric } from "./format-metric.js";
import { radarChartSvg } from "./radar-chart-svg.js";

/**
 * A self-contained HTML report: inline CSS, one inline SVG radar chart per model over the tags (dimension
 * and capability, shared axes across models; a tag the model was not evaluated on reads "not evaluated", never 0%),
 * and the metric tables. No scripts or external assets.
 */
export function renderReportHtml(report: EvaluationReport): string {
  const aggregates = aggregateReport(report);
  const axes = [...new Set(aggregates.flatMap((model) => model.aggregates.map((aggregate) => aggregate.tag)))].sort();
  const sections = report.models.map((model) => {
    const modelAggregates = aggregates.find((entry) => entry.model === model.model)?.aggregates ?? [];
    const chart = radarChartSvg(
      axes.map((tag) => ({ label: tag.replace(/^(dimension|capability):/, ""), value: modelAggregates.find((aggregate) => aggregate.tag === tag)?.macro })),
      { title: `${model.model}: score by tag` },
    );
    const rows = model.tasks
      .flatMap((task) =>
        task.metrics.map(
          (metric) =>
            `<tr><td>${escapeHtml(task.task)}</td><td>${escapeHtml(task.convention ?? "")}</td><td>${escapeHtml(metric.name)}${metric.name === task.primaryMetric ? " *" : ""}</td><td>${escapeHtml(formatMetric(metric))}</td><td>${metric.count}</td><td>${escapeHtml([task.tags.dimension, ...task.tags.capabilities].join(", "))}</td></tr>`,
        ),
      )
      .join("\n");
    return `<section><h2>${escapeHtml(model.model)}</h2><div class="chart">${chart}</div>
<table><thead><tr><th>task</th><th>convention</th><th>metric</th><th>value (%)</th><th>n</th><th>tags</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#111827}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #e5e7eb;padding:.3rem .6rem;text-align:left}th{background:#f9fafb}.chart{margin:1rem 0}</style>
</head><body><h1>${escapeHtml(report.title)}</h1>
<p>Generated ${escapeHtml(report.generatedAt)}. Values in percent: mean ± standard error [bootstrap 95% interval]; * marks the primary metric aggregated by tag.</p>
${sections.join("\n")}
</body></html>
`;
}
