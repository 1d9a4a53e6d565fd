import { summarizeMetric } from "../metrics/summarize-metric.js";
import type { BootstrapOptions } from "../metrics/bootstrap-interval.js";
import type { LoglikelihoodBackend, MetricSummary, ScoringConvention } from "../types.js";
import { evaluateMultipleChoiceItem, type MultipleChoiceRecord } from "./evaluate-multiple-choice-item.js";
import type { MultipleChoiceItem } from "./multiple-choice-item.js";

export type RunMultipleChoiceOptions = {
  convention: ScoringConvention;
  /** lm-eval only: whether the tokenizer adds BOS. Defaults to `true`. */
  addBos?: boolean;
  /** Items already finished (resume): skipped, their records merged into the metrics. */
  completed?: readonly MultipleChoiceRecord[];
  /** Called after each item, e.g. to persist it; awaited before the next item starts. */
  onRecord?: (record: MultipleChoiceRecord, done: number, total: number) => void | Promise<void>;
  bootstrap?: BootstrapOptions;
  signal?: AbortSignal | undefined;
};

export type MultipleChoiceRun = { records: MultipleChoiceRecord[]; metrics: MetricSummary[] };

/** Scores items in order (skipping completed ones) and summarises every metric the records carry. */
export async function runMultipleChoiceItems(
  backend: LoglikelihoodBackend,
  items: readonly MultipleChoiceItem[],
  options: RunMultipleChoiceOptions,
): Promise<MultipleChoiceRun> {
  const records = new Map((options.completed ?? []).map((record) => [record.id, record]));
  let done = records.size;
  for (const item of items) {
    if (records.has(item.id)) continue;
    const record = await evaluateMultipleChoiceItem(backend, item, options);
    records.set(item.id, record);
    done += 1;
    await options.onRecord?.(record, done, items.length);
  }
  const ordered = items.map((item) => records.get(item.id)).filter((record) => record !== undefined);
  return { records: ordered, metrics: summarizeRecords(ordered, options.bootstrap) };
}

/** One MetricSummary per metric name, in first-seen order. */
export function summarizeRecords(records: readonly { metrics: Record<string, number> }[], bootstrap: BootstrapOptions = {}): MetricSummary[] {
  const names = [...new Set(records.flatMap((record) => Object.keys(record.metrics)))];
  return names.map((name) =>
    summarizeMetric(
      name,
      records.map((record) => record.metrics[name]).filter((value): value is number => value !== undefined),
      bootstrap,
    ),
  );
}
