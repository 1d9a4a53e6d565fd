import type { CustomTaskDefinition } from "../custom/custom-task-schema.js";
import type { EvalRunRecord } from "../store/eval-run-repository.js";
import { builtInTasks } from "../tasks/built-in-tasks.js";
import type { TaskTags } from "../types.js";
import { evalRunRequestSchema } from "./eval-run-request.js";

/** What views, reports and comparisons need to know about a run's task, built-in or custom. */
export type RunTaskInfo = {
  name: string;
  kind: "loglikelihood" | "generative";
  tags: TaskTags;
  /** The metric shown as the task's score (`acc`, `exact_match`, `pass@1`, `pass`, `harmless_rate`, …). */
  primaryMetric: string;
  /** Whether the task came from a user's definition. */
  custom: boolean;
};

/** The primary metric of a custom task's scorer. */
export function customPrimaryMetric(definition: CustomTaskDefinition): string {
  const scorer = definition.scorer;
  switch (scorer.type) {
    case "loglikelihood-multiple-choice":
      return "acc";
    case "exact-match":
      return "exact_match";
    case "code-execution":
      return "pass@1";
    case "llm-judge":
      return "pass";
    default:
      return scorer satisfies never;
  }
}

/** Task information of a custom definition. */
export function customTaskInfo(definition: CustomTaskDefinition): RunTaskInfo {
  return {
    name: definition.name,
    kind: definition.scorer.type === "loglikelihood-multiple-choice" ? "loglikelihood" : "generative",
    tags: { dimension: definition.tags.dimension, capabilities: definition.tags.capabilities },
    primaryMetric: customPrimaryMetric(definition),
    custom: true,
  };
}

/**
 * The task of a stored run: its stored custom definition, else the built-in task of that name. A run whose task is
 * neither (a task removed since) keeps working in views: general tags, its first metric as primary.
 */
export function taskOfRun(run: Pick<EvalRunRecord, "task" | "config" | "metrics">): RunTaskInfo {
  const parsed = evalRunRequestSchema.safeParse(run.config);
  if (parsed.success && parsed.data.taskDefinition) return customTaskInfo(parsed.data.taskDefinition);
  const task = builtInTasks[run.task];
  if (task) return { name: task.name, kind: task.kind, tags: task.tags, primaryMetric: task.primaryMetric, custom: false };
  return { name: run.task, kind: "generative", tags: { dimension: "general", capabilities: [] }, primaryMetric: run.metrics?.[0]?.name ?? "acc", custom: false };
}
