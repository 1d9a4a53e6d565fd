import { InvalidRequestError } from "../../spec/index.js";
import type { EvalItemRecord } from "../store/eval-item-repository.js";
import { getBuiltInTask } from "../tasks/built-in-tasks.js";
import type { GenerationBackend, LoglikelihoodBackend, MetricSummary, ScoringConvention } from "../types.js";
import { loadCustomRunPlan } from "./custom-run-plan.js";
import type { ParsedEvalRunRequest } from "./eval-run-request.js";
import { multipleChoiceRunItems } from "./multiple-choice-run-items.js";
import { loadGsm8kRunItems, loadHumanevalRunItems } from "./generative-run-items.js";
import { loadDoNotAnswerRunItems } from "./safety-run-items.js";

/** What one item of a run stores besides its position, id and time. */
export type ItemOutcome = Omit<EvalItemRecord, "runId" | "itemIndex" | "itemId" | "createdAt">;

/** One item of a run: its dataset id and how to evaluate it with the run's backend. */
export type RunItem<Backend> = {
  id: string;
  evaluate(backend: Backend, signal: AbortSignal | undefined): Promise<ItemOutcome>;
};

/** The model's generation backend and, for judged tasks, the judge's (`undefined`: no judge, rules only). */
export type JudgedGenerationBackend = {
  description: string;
  model: GenerationBackend;
  judge: GenerationBackend | undefined;
};

/** The items of a run and the kind of backend they need. */
export type RunPlan =
  | { kind: "loglikelihood"; convention: ScoringConvention; items: RunItem<LoglikelihoodBackend>[] }
  | { kind: "generative"; items: RunItem<GenerationBackend>[] }
  | {
      kind: "judged";
      /** The judge model name; `undefined` when the task runs without one (do_not_answer: rules only). */
      judgeModel: string | undefined;
      items: RunItem<JudgedGenerationBackend>[];
      /** Run-level metrics beyond the per-item means (e.g. Cohen's κ), computed from the finished items. */
      extraMetrics?: ((items: readonly EvalItemRecord[]) => MetricSummary[]) | undefined;
    };

/** The scoring convention a request resolves to; undefined for generative tasks (they have none). */
export function conventionOf(request: ParsedEvalRunRequest): ScoringConvention | undefined {
  const definition = request.taskDefinition;
  const isLoglikelihood = definition ? definition.scorer.type === "loglikelihood-multiple-choice" : getBuiltInTask(request.task).kind === "loglikelihood";
  if (!isLoglikelihood) return undefined;
  return request.scoring ?? (request.task === "truthfulqa_mc2" && !definition ? "lm-eval" : "llama.cpp");
}

/** The dataset path of a built-in task's run (they have no other source). */
function dataPathOf(request: ParsedEvalRunRequest): string {
  if (request.dataPath === undefined) throw new InvalidRequestError({ message: `task ${request.task} needs a dataset (--data or "data")`, param: "data", code: "dataset_required" });
  return request.dataPath;
}

/** The items of a run (the first `limit` of the dataset), in dataset order. */
export async function loadRunPlan(request: ParsedEvalRunRequest): Promise<RunPlan> {
  if (request.taskDefinition) return loadCustomRunPlan(request, request.taskDefinition);
  const task = getBuiltInTask(request.task);
  switch (task.kind) {
    case "loglikelihood": {
      const convention = conventionOf(request)!;
      const all = await task.loadItems({ path: dataPathOf(request), fewShotPath: request.fewShotPath, shots: request.shots, subjects: request.subjects });
      const items = request.limit === undefined ? all : all.slice(0, request.limit);
      return { kind: "loglikelihood", convention, items: multipleChoiceRunItems(items, convention, request.addBos) };
    }
    case "generative": {
      if (request.scoring !== undefined) {
        throw new InvalidRequestError({ message: `task ${task.name} is generative; --scoring applies to log-likelihood tasks only`, param: "scoring" });
      }
      if (request.judgeModel !== undefined && task.name !== "do_not_answer") {
        throw new InvalidRequestError({ message: `task ${task.name} has no judge; --judge-model applies to do_not_answer and llm-judge custom tasks`, param: "judge_model" });
      }
      const dataPath = dataPathOf(request);
      switch (task.name) {
        case "gsm8k":
          return { kind: "generative", items: await loadGsm8kRunItems({ ...request, dataPath }) };
        case "humaneval":
          return { kind: "generative", items: await loadHumanevalRunItems({ ...request, dataPath }) };
        case "do_not_answer":
          return { kind: "judged", judgeModel: request.judgeModel, ...(await loadDoNotAnswerRunItems({ ...request, dataPath })) };
        default:
          throw new InvalidRequestError({ message: `task ${task.name} cannot run yet`, param: "task", code: "unsupported_task" });
      }
    }
    default:
      return task satisfies never;
  }
}
