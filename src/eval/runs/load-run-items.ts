import { InvalidRequestError } from "../../spec/index.js";
import type { MultipleChoiceItem } from "../scoring/multiple-choice-item.js";
import { getBuiltInTask } from "../tasks/built-in-tasks.js";
import type { ScoringConvention } from "../types.js";
import type { ParsedEvalRunRequest } from "./eval-run-request.js";

/** The scoring convention a request resolves to. */
export function conventionOf(request: ParsedEvalRunRequest): ScoringConvention {
  return request.scoring ?? (request.task === "truthfulqa_mc2" ? "lm-eval" : "llama.cpp");
}

/** The items of a run (the first `limit` of the dataset), in dataset order. */
export async function loadRunItems(request: ParsedEvalRunRequest): Promise<MultipleChoiceItem[]> {
  const task = getBuiltInTask(request.task);
  if (task.kind !== "loglikelihood") {
    throw new InvalidRequestError({ message: `task ${task.name} is generative; durable runs support log-likelihood tasks`, param: "task", code: "unsupported_task" });
  }
  const items = await task.loadItems({ path: request.dataPath, fewShotPath: request.fewShotPath, shots: request.shots, subjects: request.subjects });
  return request.limit === undefined ? items : items.slice(0, request.limit);
}
