import type { EvalRunRecord, EvalRunView } from "../../../eval/index.js";
import { formatTime, printLine, printTable } from "../../output.js";

const percent = (value: number) => (value * 100).toFixed(2);

/** `acc  30.00 ± 15.28  [10.00, 50.00]  n=10` lines of a run's metrics (percent points). */
export function printRunMetrics(view: EvalRunView): void {
  printTable(
    ["METRIC", "VALUE", "STDERR", "95% CI", "N"],
    view.metrics.map((metric) => [
      metric.name + (metric.name === view.primary_metric ? " *" : ""),
      percent(metric.value),
      metric.standard_error === null ? "-" : percent(metric.standard_error),
      metric.interval === null ? "-" : `[${percent(metric.interval[0])}, ${percent(metric.interval[1])}]`,
      String(metric.count),
    ]),
    "no metrics yet",
  );
}

/** The header and metrics of one run. */
export function printRun(view: EvalRunView): void {
  printLine(`run ${view.id}: ${view.task} on ${view.model}${view.scoring ? ` (${view.scoring} scoring)` : ""} — ${view.status}, ${view.progress.done}/${view.progress.total} items`);
  if (view.error) printLine(`error: ${view.error}`);
  printRunMetrics(view);
}

/** The run list; `status` is the shown status (`interrupted` for a running run whose process is gone). */
export function printRuns(runs: readonly EvalRunRecord[], primary: (run: EvalRunRecord) => string, status: (run: EvalRunRecord) => string): void {
  printTable(
    ["ID", "TASK", "MODEL", "SCORING", "STATUS", "ITEMS", "SCORE", "CREATED"],
    runs.map((run) => [run.id, run.task, run.model, run.scoring ?? "-", status(run), `${run.doneItems}/${run.totalItems}`, primary(run), formatTime(run.createdAt)]),
    "no eval runs; start one with `aiplus eval run --task hellaswag --model <name> --data <file>`",
  );
}
