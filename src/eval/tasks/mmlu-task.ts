import type { MmluItem } from "../datasets/mmlu-csv.js";
import { InvalidRequestError } from "../../spec/index.js";
import { type MultipleChoiceItem, oneHotLabels } from "../scoring/multiple-choice-item.js";

const letters = ["A", "B", "C", "D"] as const;

/** `"The following are multiple choice questions (with answers) about <subject>.\n\n"` with `_` → space. */
export function mmluDescription(subject: string): string {
  return `The following are multiple choice questions (with answers) about ${subject.replaceAll("_", " ")}.\n\n`;
}

/** lm-eval `mmlu/default/_default_template_yaml` `doc_to_text`. */
export function mmluQuestionText(item: MmluItem): string {
  const [a, b, c, d] = item.choices;
  return `${item.question.trim()}\nA. ${a}\nB. ${b}\nC. ${c}\nD. ${d}\nAnswer:`;
}

export type MmluPromptOptions = {
  /** 0 (lm-eval default) or up to the dev split size; exemplars are the first N dev items (`first_n`). Defaults to 0. */
  shots?: number;
};

/**
 * MMLU items of one subject: description, then `shots` dev exemplars rendered `question + " " + letter +
 * "\n\n"`, then the test question; choices `["A","B","C","D"]`, so `" A"` … `" D"` are scored. llama.cpp
 * convention: the `--multiple-choice` rule on `prompt + " " + letter`.
 */
export function buildMmluItems(test: readonly MmluItem[], dev: readonly MmluItem[], options: MmluPromptOptions = {}): MultipleChoiceItem[] {
  const shots = options.shots ?? 0;
  if (!Number.isInteger(shots) || shots < 0 || shots > dev.length) {
    throw new InvalidRequestError({ message: `MMLU ${test[0]?.subject ?? ""}: ${shots} shots requested, ${dev.length} dev exemplars available`, param: "shots" });
  }
  return test.map((item) => {
    const exemplars = dev
      .slice(0, shots)
      .map((shot) => `${mmluQuestionText(shot)} ${letters[shot.goldIndex]}\n\n`)
      .join("");
    const context = mmluDescription(item.subject) + exemplars + mmluQuestionText(item);
    return {
      id: `${item.subject}/${item.index}`,
      llamaCpp: { kind: "candidates", candidates: letters.map((letter) => `${context} ${letter}`), accumulation: "float" },
      lmEval: { kind: "choices", context, choices: [...letters], delimiter: " " },
      labels: oneHotLabels(4, item.goldIndex),
      goldIndex: item.goldIndex,
      metric: "accuracy",
    };
  });
}
