import type { HumanevalItem } from "../datasets/humaneval-jsonl.js";

/** lm-eval `humaneval.yaml` stop sequences and budget (greedy, 1 sample). */
export const humanevalStopSequences = ["\nclass", "\ndef", "\n#", "\nif", "\nprint"] as const;
export const humanevalMaximumTokens = 1024;

/**
 * The program HF `code_eval` runs for a completion: `prompt + completion`, then `"\n" + test +
 * "\ncheck(entry_point)"`.
 */
export function humanevalProgram(item: HumanevalItem, completion: string): string {
  return `${item.prompt}${completion}\n${item.test}\ncheck(${item.entryPoint})`;
}
