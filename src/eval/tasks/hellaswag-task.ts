import type { HellaswagItem } from "../datasets/hellaswag-text.js";
import { type MultipleChoiceItem, oneHotLabels } from "../scoring/multiple-choice-item.js";

/**
 * lm-eval `hellaswag/utils.py preprocess`: strip, `" [title]"` → `". "`, drop every `[...]`, collapse
 * double spaces (one pass of `replace("  ", " ")`, as Python's `str.replace` does).
 */
export function preprocessHellaswagText(text: string): string {
  return text.trim().replaceAll(" [title]", ". ").replace(/\[.*?\]/g, "").replaceAll("  ", " ");
}

/**
 * HellaSwag items. llama.cpp: candidate = `context + " " + ending` (the txt line as is). lm-eval: the
 * query is `preprocess(line 1)` — an approximation, because the txt file keeps `ctx` whole, so lm-eval's
 * `ctx_a + " " + ctx_b.capitalize()` cannot be rebuilt; endings are preprocessed as lm-eval does.
 */
export function buildHellaswagItems(items: readonly HellaswagItem[]): MultipleChoiceItem[] {
  return items.map((item) => ({
    id: String(item.index),
    llamaCpp: { kind: "candidates", candidates: item.endings.map((ending) => `${item.context} ${ending}`), accumulation: "double" },
    lmEval: { kind: "choices", context: preprocessHellaswagText(item.context), choices: item.endings.map(preprocessHellaswagText), delimiter: " " },
    labels: oneHotLabels(4, item.goldIndex),
    goldIndex: item.goldIndex,
    metric: "accuracy",
  }));
}
