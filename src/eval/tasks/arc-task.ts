import type { ArcItem } from "../datasets/arc-jsonl.js";
import { type MultipleChoiceItem, oneHotLabels } from "../scoring/multiple-choice-item.js";

/** lm-eval `arc_easy.yaml` / `arc_challenge.yaml`: `"Question: {{question}}\nAnswer:"`. */
export function arcPrompt(question: string): string {
  return `Question: ${question}\nAnswer:`;
}

/**
 * ARC items. lm-eval: context = the ARC template, continuation `" " + choice`. llama.cpp: the
 * `--multiple-choice` rule on `template + " " + choice` — the same strings our derived `.bin` holds.
 */
export function buildArcItems(items: readonly ArcItem[]): MultipleChoiceItem[] {
  return items.map((item) => {
    const context = arcPrompt(item.question);
    return {
      id: item.id,
      llamaCpp: { kind: "candidates", candidates: item.choices.map((choice) => `${context} ${choice}`), accumulation: "float" },
      lmEval: { kind: "choices", context, choices: [...item.choices], delimiter: " " },
      labels: oneHotLabels(item.choices.length, item.goldIndex),
      goldIndex: item.goldIndex,
      metric: "accuracy",
    };
  });
}
