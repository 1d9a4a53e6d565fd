import type { WinograndeItem } from "../datasets/winogrande-item.js";
import { type MultipleChoiceItem, oneHotLabels } from "../scoring/multiple-choice-item.js";

/**
 * WinoGrande items. llama.cpp: `first + option + second` with partial scoring (see
 * `scoreLlamaCppWinogrande`). lm-eval (`preprocess_winogrande.py`): contexts `first + option`, shared
 * continuation `" " + second.strip()`, acc on summed log-likelihoods.
 */
export function buildWinograndeItems(items: readonly WinograndeItem[]): MultipleChoiceItem[] {
  return items.map((item) => ({
    id: item.id,
    llamaCpp: { kind: "winogrande", first: item.first, second: item.second, options: [item.options[0], item.options[1]] },
    lmEval: { kind: "shared-continuation", contexts: item.options.map((option) => item.first + option), continuation: ` ${item.second.trim()}` },
    labels: oneHotLabels(2, item.answer - 1),
    goldIndex: item.answer - 1,
    metric: "accuracy",
  }));
}
