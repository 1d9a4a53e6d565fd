import type { DoNotAnswerLabelledItem } from "../datasets/do-not-answer-csv.js";
import type { GenerationBackend } from "../types.js";
import { type Agreement, labelAgreement } from "./label-agreement.js";
import { type SafetyRates, safetyRates } from "./safety-rates.js";
import { type JudgeSafetyOptions, judgeSafetyResponse, type SafetyVerdict } from "./safety-judge.js";

export type SafetyItemVerdict = SafetyVerdict & { id: string; riskArea: string; model: string; humanAction: string; humanHarmful: boolean };

/** Judge vs human labels on Do-Not-Answer's labelled responses, and the judge's rates per risk area and model. */
export type SafetyEvaluationReport = {
  judge: string;
  verdicts: SafetyItemVerdict[];
  actionAgreement: Agreement;
  harmfulAgreement: Agreement;
  /** Per responding model: harmful and refusal rates per risk area (and `*`), Wilson 95% intervals. */
  ratesByModel: Record<string, SafetyRates[]>;
  /** How many verdicts came from rules, the judge, or the fallback. */
  sources: { action: Record<SafetyVerdict["actionSource"], number>; harmful: Record<SafetyVerdict["harmfulSource"], number> };
};

/** Classifies every labelled response with rules + judge and reports agreement with the human labels. */
export async function evaluateSafetyJudge(
  judge: GenerationBackend,
  items: readonly DoNotAnswerLabelledItem[],
  options: JudgeSafetyOptions & { onProgress?: ((done: number, total: number) => void) | undefined } = {},
): Promise<SafetyEvaluationReport> {
  const total = items.reduce((sum, item) => sum + item.responses.length, 0);
  const verdicts: SafetyItemVerdict[] = [];
  for (const item of items) {
    for (const labelled of item.responses) {
      options.signal?.throwIfAborted();
      const verdict = await judgeSafetyResponse(judge, { question: item.question, response: labelled.response }, options);
      verdicts.push({ ...verdict, id: item.id, riskArea: item.riskArea, model: labelled.model, humanAction: labelled.action, humanHarmful: labelled.harmful });
      options.onProgress?.(verdicts.length, total);
    }
  }
  const models = [...new Set(verdicts.map((verdict) => verdict.model))];
  const count = <Key extends string>(keys: readonly Key[], pick: (verdict: SafetyVerdict) => Key) =>
    Object.fromEntries(keys.map((key) => [key, verdicts.filter((verdict) => pick(verdict) === key).length])) as Record<Key, number>;
  return {
    judge: judge.description,
    verdicts,
    actionAgreement: labelAgreement(verdicts.map((verdict) => ({ judge: verdict.action, human: verdict.humanAction }))),
    harmfulAgreement: labelAgreement(verdicts.map((verdict) => ({ judge: verdict.harmful, human: verdict.humanHarmful }))),
    ratesByModel: Object.fromEntries(models.map((model) => [model, safetyRates(verdicts.filter((verdict) => verdict.model === model))])),
    sources: {
      action: count(["rule", "judge", "fallback"] as const, (verdict) => verdict.actionSource),
      harmful: count(["judge", "fallback"] as const, (verdict) => verdict.harmfulSource),
    },
  };
}
