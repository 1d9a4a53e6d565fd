import { runSandboxed } from "../../sandbox/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import { buildCustomMultipleChoiceItems, buildCustomPrompts, type CustomPrompt } from "../custom/build-custom-prompts.js";
import type { CustomTaskDefinition } from "../custom/custom-task-schema.js";
import { buildJudgePrompt, parseJudgeScore } from "../custom/llm-judge.js";
import { loadCustomTaskDocuments } from "../custom/load-custom-task.js";
import { renderTemplate } from "../custom/render-template.js";
import { scoreCustomExactMatch } from "../custom/score-custom-response.js";
import type { GenerateOptions, GenerationBackend } from "../types.js";
import type { ParsedEvalRunRequest } from "./eval-run-request.js";
import { multipleChoiceRunItems } from "./multiple-choice-run-items.js";
import type { JudgedGenerationBackend, RunItem, RunPlan } from "./run-plan.js";

/** Judge reply length of `llm-judge` scorers (a short explanation, then `Score: N`). */
const judgeMaximumTokens = 256;

/** The judge model of a custom task: the scorer's own `judge`, else the run's `judgeModel`; undefined for other scorers. */
export function customJudgeModel(definition: CustomTaskDefinition, request: Pick<ParsedEvalRunRequest, "judgeModel">): string | undefined {
  return definition.scorer.type === "llm-judge" ? (definition.scorer.judge ?? request.judgeModel) : undefined;
}

/**
 * The run plan of a custom task: few-shot prompts over the whole dataset (so the first N items' prompts do not depend on
 * `limit`), then the first `limit` items scored by the definition's scorer. Every template is rendered here, so a
 * record missing a field fails the run's creation, not item 731.
 */
export async function loadCustomRunPlan(request: ParsedEvalRunRequest, definition: CustomTaskDefinition): Promise<RunPlan> {
  const { documents, fewShotDocuments } = await loadCustomTaskDocuments(definition);
  const all = buildCustomPrompts(definition, documents, fewShotDocuments);
  const prompts = request.limit === undefined ? all : all.slice(0, request.limit);
  const scorer = definition.scorer;
  if (scorer.type !== "loglikelihood-multiple-choice" && request.scoring !== undefined) {
    throw new InvalidRequestError({ message: `task ${definition.name} is generative (${scorer.type}); --scoring applies to log-likelihood scorers only`, param: "scoring" });
  }
  if (scorer.type !== "llm-judge" && request.judgeModel !== undefined) {
    throw new InvalidRequestError({ message: `task ${definition.name} has a ${scorer.type} scorer; --judge-model applies to llm-judge scorers`, param: "judge_model" });
  }
  const generation = (signal: AbortSignal | undefined): GenerateOptions => ({ maxTokens: definition.generation.maxTokens, stop: definition.generation.stop, temperature: 0, signal });
  switch (scorer.type) {
    case "loglikelihood-multiple-choice": {
      const convention = request.scoring ?? "llama.cpp";
      return { kind: "loglikelihood", convention, items: multipleChoiceRunItems(buildCustomMultipleChoiceItems(definition, prompts), convention, request.addBos) };
    }
    case "exact-match":
      return {
        kind: "generative",
        items: prompts.map((prompt) => {
          const reference = renderTemplate(scorer.target, prompt.document);
          return {
            id: String(prompt.index),
            async evaluate(backend: GenerationBackend, signal) {
              const response = await backend.generate(prompt.prompt, generation(signal));
              const score = scoreCustomExactMatch(definition, response, prompt.document);
              return { prompt: prompt.prompt, choices: undefined, scores: undefined, prediction: score.extracted, reference, metrics: { exact_match: score.score }, details: { response } };
            },
          };
        }),
      };
    case "code-execution":
      return {
        kind: "generative",
        items: prompts.map((prompt) => {
          const test = renderTemplate(scorer.test, prompt.document);
          return {
            id: String(prompt.index),
            async evaluate(backend: GenerationBackend, signal) {
              const completion = await backend.generate(prompt.prompt, generation(signal));
              const result = await runSandboxed({
                language: "python",
                program: `${prompt.prompt}${completion}\n${test}\n`,
                limits: { wallTimeMilliseconds: Math.round(scorer.timeoutSeconds * 1000), memoryMegabytes: scorer.memoryMegabytes },
                signal,
              });
              return {
                prompt: prompt.prompt,
                choices: undefined,
                scores: undefined,
                prediction: completion,
                reference: { test },
                metrics: { "pass@1": result.status === "passed" ? 1 : 0 },
                details: { status: result.status, reason: result.reason ?? null, stdout: result.stdout.slice(-400), stderr: result.stderr.slice(-400) },
              };
            },
          };
        }),
      };
    case "llm-judge": {
      const judgeModel = customJudgeModel(definition, request);
      if (judgeModel === undefined) {
        throw new InvalidRequestError({ message: `task ${definition.name} has an llm-judge scorer: name its judge (scorer.judge) or give --judge-model`, param: "judge_model", code: "judge_required" });
      }
      return { kind: "judged", judgeModel, items: prompts.map((prompt) => judgedItem(definition, prompt, generation)) };
    }
    default:
      return scorer satisfies never;
  }
}

/** One `llm-judge` item: the model answers, the judge grades against the rubric; pass = score ≥ threshold. */
function judgedItem(
  definition: CustomTaskDefinition,
  prompt: CustomPrompt,
  generation: (signal: AbortSignal | undefined) => GenerateOptions,
): RunItem<JudgedGenerationBackend> {
  const scorer = definition.scorer;
  if (scorer.type !== "llm-judge") throw new InvalidRequestError({ message: `${definition.name}: scorer is ${scorer.type}, not llm-judge`, param: "scorer" });
  const question = renderTemplate(definition.prompt.template, prompt.document);
  const reference = scorer.reference === undefined ? undefined : renderTemplate(scorer.reference, prompt.document);
  const { min, max } = scorer.scale;
  const threshold = scorer.passThreshold ?? (min + max) / 2;
  return {
    id: String(prompt.index),
    async evaluate({ model, judge }, signal) {
      if (!judge) throw new InvalidRequestError({ message: `task ${definition.name} needs a judge model`, param: "judge_model", code: "judge_required" });
      const response = await model.generate(prompt.prompt, generation(signal));
      const judgeOutput = await judge.generate(buildJudgePrompt({ rubric: scorer.rubric, question, response, reference, scale: scorer.scale }), {
        maxTokens: judgeMaximumTokens,
        stop: [],
        temperature: 0,
        signal,
      });
      const score = parseJudgeScore(judgeOutput, scorer.scale);
      return {
        prompt: prompt.prompt,
        choices: undefined,
        scores: undefined,
        prediction: response,
        reference: reference ?? null,
        metrics: {
          pass: score !== undefined && score >= threshold ? 1 : 0,
          judge_parsed: score === undefined ? 0 : 1,
          ...(score === undefined ? {} : { judge_score: (score - min) / (max - min) }),
        },
        details: { response, judgeOutput, judgeScore: score ?? null, threshold },
      };
    },
  };
}
