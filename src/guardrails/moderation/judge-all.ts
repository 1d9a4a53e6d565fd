import type { RequestGuard } from "../../spec/index.js";
import type { GuardAudit, GuardDecision } from "../audit/guard-audit.js";
import type { GuardrailModelResolver } from "../models/ask-json-model.js";
import type { ModerationRules } from "../policy/policy-schema.js";
import { judgeCategories, judgeText, type JudgeVerdict } from "./judge.js";
import { mergeVerdicts, type ModerationResult } from "./moderate.js";

/** Judge calls in flight at once for one moderation request. */
const concurrency = 4;

export type JudgeAllOptions = {
  resolveModel: GuardrailModelResolver;
  /** The caller's guard: what reaches an upstream judge is masked as the policy says for that route. */
  guard: RequestGuard;
  audit: GuardAudit;
  signal?: AbortSignal | undefined;
  /** The detectors' results, one per input. */
  results: readonly ModerationResult[];
};

/**
 * Asks every judge about every input (a few at a time), audits each verdict (rule `moderation.judge`, action `flag`
 * or `allow`, the judge and the categories it flagged in `details`), and merges the verdicts into the detectors'
 * results. The first judge failure fails the whole request.
 */
export async function judgeAll(inputs: readonly string[], judges: readonly ModerationRules[], options: JudgeAllOptions): Promise<ModerationResult[]> {
  const verdicts: JudgeVerdict[][] = inputs.map(() => []);
  const decisions: GuardDecision[] = [];
  const tasks = inputs.flatMap((text, index) => judges.map((judge) => ({ text, index, judge })));
  let next = 0;
  // The first failure stops the other judge calls: the request fails anyway.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const judge = async (task: (typeof tasks)[number]): Promise<JudgeVerdict> => {
    try {
      return await judgeText(options.resolveModel, { model: task.judge.judge_model, text: task.text, timeoutMs: task.judge.timeout_seconds * 1000, guard: options.guard, signal });
    } catch (error) {
      stop.abort(error);
      throw error;
    }
  };
  const worker = async (): Promise<void> => {
    while (next < tasks.length && !stop.signal.aborted) {
      const task = tasks[next++]!;
      const verdict = await judge(task);
      verdicts[task.index]!.push(verdict);
      const flagged = judgeCategories.filter((category) => verdict.categories[category]);
      decisions.push({
        rule: "moderation.judge",
        action: flagged.length > 0 ? "flag" : "allow",
        entityType: undefined,
        location: `input[${task.index}]`,
        start: 0,
        end: task.text.length,
        value: task.text,
        details: { judge_model: task.judge.judge_model, flagged_categories: flagged },
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  await options.audit.record(undefined, decisions);
  return options.results.map((result, index) => mergeVerdicts(result, verdicts[index]!));
}
