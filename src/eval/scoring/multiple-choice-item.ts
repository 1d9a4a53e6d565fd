/** How the llama.cpp convention builds and scores an item. */
export type LlamaCppQuery =
  | {
      /** `--hellaswag` / `--multiple-choice`: full candidate strings, common prefix, token mean. */
      kind: "candidates";
      candidates: string[];
      /** `double` for HellaSwag, `float` for `--multiple-choice`. */
      accumulation: "double" | "float";
    }
  | { kind: "winogrande"; first: string; second: string; options: [string, string] }
  /** The task has no llama.cpp rule (e.g. TruthfulQA mc2, which llama.cpp reads but ignores). */
  | { kind: "unsupported"; reason: string };

/** How the lm-eval convention builds an item. */
export type LmEvalQuery =
  | {
      /** One request `(context, delimiter + choice)` per choice. */
      kind: "choices";
      context: string;
      choices: string[];
      /** `target_delimiter`, `" "` by default. */
      delimiter: string;
    }
  | {
      /** `multiple_input` partial scoring (WinoGrande): one context per option, one shared continuation. */
      kind: "shared-continuation";
      contexts: string[];
      continuation: string;
    };

/** A log-likelihood item of any task, ready for either convention. */
export type MultipleChoiceItem = {
  id: string;
  llamaCpp: LlamaCppQuery;
  lmEval: LmEvalQuery;
  /** Label per choice, 1 = correct. An item is correct when `labels[prediction] === 1`. */
  labels: number[];
  /** Index of the (first) correct choice, the lm-eval target. */
  goldIndex: number;
  /** `accuracy` (acc, acc_norm) or `truthfulqa-mc2` (normalised probability mass on true answers). */
  metric: "accuracy" | "truthfulqa-mc2";
};

/** One-hot labels for a gold index. */
export function oneHotLabels(count: number, goldIndex: number): number[] {
  return Array.from({ length: count }, (_, index) => (index === goldIndex ? 1 : 0));
}
