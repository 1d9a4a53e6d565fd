import { InvalidRequestError } from "../../spec/index.js";
import { evaluateMultipleChoiceItem } from "../scoring/evaluate-multiple-choice-item.js";
import type { EvalItemRecord } from "../store/eval-item-repository.js";
import { getBuiltInTask } from "../tasks/built-in-tasks.js";
import type { GenerationBackend, LoglikelihoodBackend, ScoringConvention } from "../types.js";
import type { ParsedEvalRunRequest } from "./eval-run-request.js";
import { loadGsm8kRunItems, loadHumanevalRunItems } from "./generative-run-items.js";

/** What one item of a run stores besides its position, id and time. */
export type ItemOutcome = Omit<EvalItemRecord, "runId" | "itemIndex" | "itemId" | "createdAt">;

/** One item of a run: its dataset id and how to evaluate it with the run's backend. */
export type RunItem<Backend> = {
  id: string;
  evaluate(backend: Backend, signal: AbortSignal | undefined): Promise<ItemOutcome>;
};

/** The items of a run and the kind of backend they need. */
export type RunPlan =
  | { kind: "loglikelihood"; convention: ScoringConvention; items: RunItem<LoglikelihoodBackend>[] }
  | { kind: "generative"; items: RunItem<GenerationBackend>[] };

/** The scoring convention a request resolves to; undefined for generative tasks (they have none). */
export function conventionOf(request: ParsedEvalRunRequest): ScoringConvention | undefined {
  if (getBuiltInTask(request.task).kind === "generative") return undefined;
  return request.scoring ?? (request.task === "truthfulqa_mc2" ? "lm-eval" : "llama.cpp");
}

/** The items of a run (the first `limit` of the dataset), in dataset order. */
export async function loadRunPlan(request: ParsedEvalRunRequest): Promise<RunPlan> {
  const task = getBuiltInTask(request.task);
  switch (task.kind) {
    case "loglikelihood": {
      const convention = conventionOf(request)!;
      const all = await task.loadItems({ path: request.dataPath, fewShotPath: request.fewShotPath, shots: request.shots, subjects: request.subjects });
      const items = request.limit === undefined ? all : all.slice(0, request.limit);
      return {
        kind: "loglikelihood",
        convention,
        items: items.map((item) => ({
          id: item.id,
          async evaluate(backend, signal) {
            const record = await evaluateMultipleChoiceItem(backend, item, { convention, addBos: request.addBos, signal });
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
        })),
      };
    }
    case "generative": {
      if (request.scoring !== undefined) {
        throw new InvalidRequestError({ message: `task ${task.name} is generative; --scoring applies to log-likelihood tasks only`, param: "scoring" });
      }
      switch (task.name) {
        case "gsm8k":
          return { kind: "generative", items: await loadGsm8kRunItems(request) };
        case "humaneval":
          return { kind: "generative", items: await loadHumanevalRunItems(request) };
        default:
          throw new InvalidRequestError({ message: `task ${task.name} cannot run yet`, param: "task", code: "unsupported_task" });
      }
    }
    default:
      return task satisfies never;
  }
}
