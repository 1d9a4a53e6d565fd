import { z } from "zod";
import { type DoNotAnswerAction, type DoNotAnswerLabelledItem, doNotAnswerActions, parseDoNotAnswerLabelled, parseDoNotAnswerQuestions } from "../datasets/do-not-answer-csv.js";
import { readDatasetText } from "../datasets/read-dataset-file.js";
import { labelAgreement } from "../safety/label-agreement.js";
import { judgeSafetyResponse, type SafetyVerdict } from "../safety/safety-judge.js";
import type { EvalItemRecord } from "../store/eval-item-repository.js";
import type { MetricSummary } from "../types.js";
import type { ParsedEvalRunRequest } from "./eval-run-request.js";
import type { JudgedGenerationBackend, RunItem } from "./run-plan.js";

/** Answer length of the evaluated model on a Do-Not-Answer question. */
export const doNotAnswerMaximumTokens = 256;

/** `data_en*.csv` (questions with labelled responses of six models) or `do_not_answer_en*.csv` (questions only). */
export async function loadDoNotAnswerItems(file: string): Promise<DoNotAnswerLabelledItem[]> {
  const text = await readDatasetText(file);
  const header = text.slice(0, text.indexOf("\n") >= 0 ? text.indexOf("\n") : text.length);
  if (header.includes("_response")) return parseDoNotAnswerLabelled(text, file);
  return parseDoNotAnswerQuestions(text, file).map((question) => ({ ...question, responses: [] }));
}

/** The classifier's verdict on one human-labelled response of the dataset. */
type LabelledVerdict = {
  model: string;
  action: DoNotAnswerAction;
  harmful: boolean;
  actionSource: SafetyVerdict["actionSource"];
  humanAction: DoNotAnswerAction;
  humanHarmful: boolean;
};

/** Per-item metric names of a risk area's rates. */
export const riskAreaMetric = (metric: "harmful_rate" | "refusal_rate", riskArea: string) => `${metric}[${riskArea}]`;

const labelledDetailsSchema = z.object({
  labelled: z.array(z.object({ action: z.string(), harmful: z.boolean(), humanAction: z.string(), humanHarmful: z.boolean() })),
});

/**
 * Cohen's κ of the classifier (rules + judge) against the human labels over every labelled response of the finished
 * items (the per-item means `action_agreement` / `harmful_agreement` are the raw accuracies). κ has no interval here.
 */
export function doNotAnswerAgreementMetrics(items: readonly EvalItemRecord[]): MetricSummary[] {
  const pairs = items.flatMap((item) => {
    const parsed = labelledDetailsSchema.safeParse(item.details);
    return parsed.success ? parsed.data.labelled : [];
  });
  if (pairs.length === 0) return [];
  const metrics: MetricSummary[] = [];
  const action = labelAgreement(pairs.map((pair) => ({ judge: pair.action, human: pair.humanAction })));
  const harmful = labelAgreement(pairs.map((pair) => ({ judge: pair.harmful, human: pair.humanHarmful })));
  for (const [name, agreement] of [["action_agreement_kappa", action], ["harmful_agreement_kappa", harmful]] as const) {
    if (Number.isFinite(agreement.cohenKappa)) metrics.push({ name, value: agreement.cohenKappa, standardError: undefined, interval: undefined, count: agreement.count });
  }
  return metrics;
}

/**
 * Do-Not-Answer as a durable run: the model answers each question (greedy, plain completion), the response is
 * classified into the six action categories and harmful or not by the transparent rules and the judge (when the run
 * has one; otherwise the rules and the recorded fallback). Per item: `harmful_rate`, `refusal_rate` (any action but
 * follow-instruction), `harmless_rate`, the same two rates under `…[<risk area>]`, and, where the dataset has human
 * labels, `action_agreement` / `harmful_agreement` of the same classifier on the labelled responses.
 */
export async function loadDoNotAnswerRunItems(
  request: ParsedEvalRunRequest & { dataPath: string },
): Promise<{ items: RunItem<JudgedGenerationBackend>[]; extraMetrics: typeof doNotAnswerAgreementMetrics }> {
  const all = await loadDoNotAnswerItems(request.dataPath);
  const questions = request.limit === undefined ? all : all.slice(0, request.limit);
  const items = questions.map(
    (question): RunItem<JudgedGenerationBackend> => ({
      id: `do_not_answer/${question.id}`,
      async evaluate({ model, judge }, signal) {
        const response = await model.generate(question.question, { maxTokens: doNotAnswerMaximumTokens, stop: [], temperature: 0, signal });
        const verdict = await judgeSafetyResponse(judge, { question: question.question, response }, { signal });
        const labelled: LabelledVerdict[] = [];
        for (const human of question.responses) {
          const classified = await judgeSafetyResponse(judge, { question: question.question, response: human.response }, { signal });
          labelled.push({
            model: human.model,
            action: classified.action,
            harmful: classified.harmful,
            actionSource: classified.actionSource,
            humanAction: human.action,
            humanHarmful: human.harmful,
          });
        }
        const refused = verdict.action !== "follow-instruction" ? 1 : 0;
        const harmful = verdict.harmful ? 1 : 0;
        const agreement = (pick: (entry: LabelledVerdict) => boolean) => labelled.filter(pick).length / labelled.length;
        return {
          prompt: question.question,
          choices: doNotAnswerActions,
          scores: undefined,
          prediction: { action: verdict.action, harmful: verdict.harmful },
          reference: { riskArea: question.riskArea, harmType: question.harmType, specificHarm: question.specificHarm },
          metrics: {
            harmful_rate: harmful,
            refusal_rate: refused,
            harmless_rate: 1 - harmful,
            [riskAreaMetric("harmful_rate", question.riskArea)]: harmful,
            [riskAreaMetric("refusal_rate", question.riskArea)]: refused,
            ...(labelled.length > 0
              ? { action_agreement: agreement((entry) => entry.action === entry.humanAction), harmful_agreement: agreement((entry) => entry.harmful === entry.humanHarmful) }
              : {}),
          },
          details: {
            response,
            actionSource: verdict.actionSource,
            harmfulSource: verdict.harmfulSource,
            rules: verdict.rules,
            judgeOutput: judge ? verdict.judgeOutput : null,
            labelled,
          },
        };
      },
    }),
  );
  return { items, extraMetrics: doNotAnswerAgreementMetrics };
}
