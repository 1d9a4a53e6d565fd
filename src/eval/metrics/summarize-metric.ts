import type { MetricSummary } from "../types.js";
import { type BootstrapOptions, bootstrapMeanInterval } from "./bootstrap-interval.js";
import { mean, sampleStandardError } from "./mean-and-stderr.js";

/** Mean, sample standard error and bootstrap 95% interval of per-item values. */
export function summarizeMetric(name: string, values: readonly number[], options: BootstrapOptions = {}): MetricSummary {
  return {
    name,
    value: mean(values),
    standardError: sampleStandardError(values),
    interval: bootstrapMeanInterval(values, options),
    count: values.length,
  };
}
