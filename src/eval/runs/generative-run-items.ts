import path from "node:path";
import { loadGsm8kJsonl } from "../datasets/gsm8k-jsonl.js";
import { loadHumanevalJsonl } from "../datasets/humaneval-jsonl.js";
import { buildGsm8kPrompts, gsm8kMaximumTokens, gsm8kStopSequences } from "../generative/gsm8k-prompts.js";
import { humanevalMaximumTokens, humanevalStopSequences } from "../generative/humaneval-program.js";
import { passAtK } from "../generative/pass-at-k.js";
import { checkHumanevalCompletion } from "../generative/run-humaneval-item.js";
import { scoreGsm8kResponse } from "../generative/score-gsm8k-response.js";
import type { GenerationBackend } from "../types.js";
import type { ParsedEvalRunRequest } from "./eval-run-request.js";
import type { RunItem } from "./run-plan.js";

/** Temperature of HumanEval runs with more than one sample per problem (Codex paper, pass@k for k > 1). */
const samplingTemperature = 0.8;

/**
 * GSM8K as lm-eval runs it: `shots` (default 5) exemplars from train drawn with `random.Random(1234)` carried over the
 * test docs, greedy generation until `Question:` (256 tokens), strict-match and flexible-extract exact match.
 * The shots come from `fewShotPath`, else `train.jsonl` beside the test file.
 */
export async function loadGsm8kRunItems(request: ParsedEvalRunRequest & { dataPath: string }): Promise<RunItem<GenerationBackend>[]> {
  const shots = request.shots ?? 5;
  const all = await loadGsm8kJsonl(request.dataPath);
  const test = request.limit === undefined ? all : all.slice(0, request.limit);
  const train = shots > 0 ? await loadGsm8kJsonl(request.fewShotPath ?? path.join(path.dirname(request.dataPath), "train.jsonl")) : [];
  // One RNG over the docs in order: the prompts of the first N docs do not depend on the rest.
  const prompts = buildGsm8kPrompts(test, train, { shots });
  return test.map((item, position) => {
    const { prompt, shotIndices } = prompts[position]!;
    return {
      id: `gsm8k/${item.index}`,
      async evaluate(backend, signal) {
        const response = await backend.generate(prompt, { maxTokens: gsm8kMaximumTokens, stop: gsm8kStopSequences, temperature: 0, signal });
        const score = scoreGsm8kResponse(response, item.answer);
        return {
          prompt,
          choices: undefined,
          scores: undefined,
          prediction: { strict: score.strictAnswer, flexible: score.flexibleAnswer },
          reference: item.answer,
          metrics: { "exact_match,strict-match": score.strictMatch, "exact_match,flexible-extract": score.flexibleMatch },
          details: { response, shotIndices },
        };
      },
    };
  });
}

/**
 * HumanEval: `samples` completions per problem (greedy when 1), each executed with the problem's tests in the code
 * sandbox (src/sandbox: bubblewrap, seccomp, rlimits; each outcome records status and reason); unbiased pass@k per problem.
 */
export async function loadHumanevalRunItems(request: ParsedEvalRunRequest & { dataPath: string }): Promise<RunItem<GenerationBackend>[]> {
  const all = await loadHumanevalJsonl(request.dataPath);
  const problems = request.limit === undefined ? all : all.slice(0, request.limit);
  const samples = request.samples ?? 1;
  const ks = [1, 10, 100].filter((k) => k <= samples);
  return problems.map((problem) => ({
    id: problem.taskId,
    async evaluate(backend, signal) {
      const completions: string[] = [];
      const outcomes: { passed: boolean; status: string; reason: string | null; stderr: string }[] = [];
      for (let sample = 0; sample < samples; sample += 1) {
        const completion = await backend.generate(problem.prompt, {
          maxTokens: humanevalMaximumTokens,
          stop: humanevalStopSequences,
          temperature: samples === 1 ? 0 : samplingTemperature,
          signal,
        });
        const check = await checkHumanevalCompletion(problem, completion, { timeoutMilliseconds: request.timeoutMs, signal });
        completions.push(completion);
        outcomes.push({ passed: check.passed, status: check.result.status, reason: check.result.reason ?? null, stderr: check.result.stderr.slice(-400) });
      }
      const correct = outcomes.filter((outcome) => outcome.passed).length;
      return {
        prompt: problem.prompt,
        choices: undefined,
        scores: undefined,
        prediction: completions,
        reference: { entryPoint: problem.entryPoint },
        metrics: Object.fromEntries(ks.map((k) => [`pass@${k}`, passAtK(samples, correct, k)])),
        details: { outcomes },
      };
    },
  }));
}
