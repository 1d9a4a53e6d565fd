import { escapeHtml } from "./escape-html.js";
import { dimensionScores, type ModelDimensionScores } from "./dimension-scores.js";
import { aggregateReport, type EvaluationReport } from "./evaluation-report.js";
import { formatMetric } from "./format-metric.js";
import { radarChartSvg } from "./radar-chart-svg.js";

export type ReportHtmlOptions = {
  /**
   * `tags` (default): one radar axis per tag of the report (dimension and capability, shared across models).
   * `dimensions`: the four dimensions (general, industry, application, safety) as axes, always all four, with a
   * table of the per-dimension scores.
   */
  radar?: "tags" | "dimensions";
};

/** A table of a model's per-dimension scores (unweighted mean of its tasks' primary metrics). */
function dimensionTable(scores: ModelDimensionScores | undefined): string {
  const rows = (scores?.dimensions ?? [])
    .map(
      (entry) =>
        `<tr><td>${escapeHtml(entry.dimension)}</td><td>${entry.score === undefined ? "not evaluated" : (entry.score * 100).toFixed(2)}</td><td>${escapeHtml(entry.tasks.join(", "))}</td><td>${entry.count}</td></tr>`,
    )
    .join("\n");
  return `<table class="dimensions"><thead><tr><th>dimension</th><th>score (%)</th><th>tasks</th><th>n</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

/**
 * A self-contained HTML report: inline CSS, one inline SVG radar chart per model over the tags (dimension
 * and capability, shared axes across models) or over the four dimensions (see {@link ReportHtmlOptions}); an axis the
 * model was not evaluated on reads "not evaluated", never 0%; and the metric tables. No scripts or external assets.
 */
export function renderReportHtml(report: EvaluationReport, options: ReportHtmlOptions = {}): string {
  const byDimension = options.radar === "dimensions";
  const aggregates = aggregateReport(report);
  const dimensions = byDimension ? dimensionScores(report) : [];
  const axes = [...new Set(aggregates.flatMap((model) => model.aggregates.map((aggregate) => aggregate.tag)))].sort();
  const sections = report.models.map((model) => {
    const modelAggregates = aggregates.find((entry) => entry.model === model.model)?.aggregates ?? [];
    const modelDimensions = dimensions.find((entry) => entry.model === model.model);
    const chart = byDimension
      ? radarChartSvg(
          (modelDimensions?.dimensions ?? []).map((entry) => ({ label: entry.dimension, value: entry.score })),
          { title: `${model.model}: score by dimension` },
        )
      : radarChartSvg(
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
    return `<section><h2>${escapeHtml(model.model)}</h2><div class="chart">${chart}</div>${byDimension ? `\n${dimensionTable(modelDimensions)}` : ""}
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
