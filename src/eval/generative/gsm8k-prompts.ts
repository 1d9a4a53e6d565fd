import { InvalidRequestError } from "../../spec/index.js";
import type { Gsm8kItem } from "../datasets/gsm8k-jsonl.js";
import { PythonRandom } from "./python-random.js";

/** lm-eval `gsm8k.yaml` (version 3) generation settings. */
export const gsm8kStopSequences = ["Question:", "</s>", "<|im_end|>"] as const;
export const gsm8kMaximumTokens = 256;

export type Gsm8kPromptOptions = {
  /** Few-shot examples per question. Defaults to 5. */
  shots?: number;
  /** lm-eval `fewshot_random_seed`. Defaults to 1234. */
  seed?: number;
};

export type Gsm8kPrompt = { index: number; prompt: string; shotIndices: number[] };

/** `"Question: {{question}}\nAnswer:"`. */
export function gsm8kQuestionText(question: string): string {
  return `Question: ${question}\nAnswer:`;
}

/**
 * lm-eval's GSM8K prompts: for each test doc in order, `random.Random(seed).sample(train, shots)` with one
 * RNG carried over the docs; each shot is `"Question: q\nAnswer: " + full answer` (with its `#### N` line),
 * shots joined and followed by `"\n\n"`, then the test question. Because the few-shot split (train)
 * differs from the test split, exactly `shots` examples are drawn and none is filtered out.
 */
export function buildGsm8kPrompts(test: readonly Gsm8kItem[], train: readonly Gsm8kItem[], options: Gsm8kPromptOptions = {}): Gsm8kPrompt[] {
  const shots = options.shots ?? 5;
  if (shots > train.length) throw new InvalidRequestError({ message: `gsm8k: ${shots} shots requested from ${train.length} train examples`, param: "shots" });
  const random = new PythonRandom(options.seed ?? 1234);
  const trainIndices = train.map((_, index) => index);
  return test.map((item) => {
    const shotIndices = shots > 0 ? random.sample(trainIndices, shots) : [];
    const exemplars = shotIndices.map((index) => `${gsm8kQuestionText(train[index]!.question)} ${train[index]!.answer}\n\n`).join("");
    return { index: item.index, prompt: exemplars + gsm8kQuestionText(item.question), shotIndices };
  });
}
