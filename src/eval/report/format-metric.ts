import type { MetricSummary } from "../types.js";

/** `62.50 ± 3.42 [55.50, 69.00]` in percent points. */
export function formatMetric(metric: MetricSummary): string {
  const percent = (value: number) => (value * 100).toFixed(2);
  const error = metric.standardError === undefined ? "" : ` ± ${percent(metric.standardError)}`;
  const interval = metric.interval ? ` [${percent(metric.interval[0])}, ${percent(metric.interval[1])}]` : "";
  return `${percent(metric.value)}${error}${interval}`;
}
