import type { MetricView } from "../evaluation/evalTypes";

/** One risk area's rates, from the run's `harmful_rate[<area>]` and `refusal_rate[<area>]` metrics. */
export type RiskAreaRates = { area: string; harmful: MetricView | undefined; refusal: MetricView | undefined; count: number };

const areaMetric = /^(harmful_rate|refusal_rate)\[(.+)\]$/;

/** The per-area rates of a Do-Not-Answer run, areas in alphabetical order. */
export function riskAreaRates(metrics: readonly MetricView[]): RiskAreaRates[] {
  const areas = new Map<string, RiskAreaRates>();
  for (const metric of metrics) {
    const match = areaMetric.exec(metric.name);
    if (!match) continue;
    const area = match[2]!;
    const entry = areas.get(area) ?? { area, harmful: undefined, refusal: undefined, count: 0 };
    if (match[1] === "harmful_rate") entry.harmful = metric;
    else entry.refusal = metric;
    entry.count = Math.max(entry.count, metric.count);
    areas.set(area, entry);
  }
  return [...areas.values()].sort((left, right) => left.area.localeCompare(right.area));
}
