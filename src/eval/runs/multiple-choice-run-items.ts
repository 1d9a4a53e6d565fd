import { evaluateMultipleChoiceItem } from "../scoring/evaluate-multiple-choice-item.js";
import type { MultipleChoiceItem } from "../scoring/multiple-choice-item.js";
import type { LoglikelihoodBackend, ScoringConvention } from "../types.js";
import type { RunItem } from "./run-plan.js";

/** Log-likelihood run items: each multiple-choice item scored under the run's convention, with its full record. */
export function multipleChoiceRunItems(items: readonly MultipleChoiceItem[], convention: ScoringConvention, addBos: boolean | undefined): RunItem<LoglikelihoodBackend>[] {
  return items.map((item) => ({
    id: item.id,
    async evaluate(backend, signal) {
      const record = await evaluateMultipleChoiceItem(backend, item, { convention, addBos, signal });
      return {
        prompt: record.requests,
        choices: item.lmEval.kind === "choices" ? item.lmEval.choices : item.lmEval.contexts,
        scores: record.scores,
        prediction: record.prediction,
        reference: { goldIndex: record.goldIndex, labels: item.labels },
        metrics: record.metrics,
        details: { convention: record.convention, ...record.details },
      };
    },
  }));
}
