import { InvalidRequestError } from "../../spec/index.js";
import type { MultipleChoiceBinaryTask } from "../datasets/multiple-choice-binary.js";
import type { MultipleChoiceItem } from "../scoring/multiple-choice-item.js";

/**
 * Items of a llama.cpp `--multiple-choice` file (mc1 only). llama.cpp: `question + " " + answer`, float
 * token mean, correct if `labels[argmax] == 1`; an empty question or answer aborts the run (here: an
 * error naming the task). lm-eval: context = question, continuation `" " + answer`.
 */
export function buildMultipleChoiceBinaryItems(tasks: readonly MultipleChoiceBinaryTask[]): MultipleChoiceItem[] {
  return tasks.map((task) => {
    if (task.question === "" || task.mc1.answers.length === 0 || task.mc1.answers.some((answer) => answer === "")) {
      throw new InvalidRequestError({ message: `multiple-choice task ${task.index} has an empty question or answer`, code: "invalid_dataset" });
    }
    return {
      id: String(task.index),
      llamaCpp: { kind: "candidates", candidates: task.mc1.answers.map((answer) => `${task.question} ${answer}`), accumulation: "float" },
      lmEval: { kind: "choices", context: task.question, choices: [...task.mc1.answers], delimiter: " " },
      labels: [...task.mc1.labels],
      goldIndex: task.mc1.labels.indexOf(1),
      metric: "accuracy",
    };
  });
}
