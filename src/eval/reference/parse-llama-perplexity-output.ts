import { InvalidRequestError } from "../../spec/index.js";

/** Per-step correctness from the cumulative-accuracy lines (`<n>\t<percent>…`) of hellaswag / multiple-choice output. */
function correctnessFromCumulative(text: string, source: string): boolean[] {
  const correct: boolean[] = [];
  let previousCount = 0;
  for (const line of text.split("\n")) {
    const match = /^(\d+)\t(\d+(?:\.\d+)?)%?(?:\t|$)/.exec(line);
    if (!match) continue;
    const step = Number(match[1]);
    if (step !== correct.length + 1) throw new InvalidRequestError({ message: `${source}: expected task line ${correct.length + 1}, found ${step}` });
    const count = Math.round((Number(match[2]) * step) / 100);
    if (count - previousCount !== 0 && count - previousCount !== 1) throw new InvalidRequestError({ message: `${source}: cumulative accuracy jumps at task ${step}` });
    correct.push(count - previousCount === 1);
    previousCount = count;
  }
  return correct;
}

/**
 * `llama-perplexity --hellaswag` stdout → correctness per task in *file* order, using the visit order
 * (`llamaCppHellaswagOrder`). Works for both LC (`%zu\t%.8lf`) and LC2 (`…%%\t[a, b]`) line formats.
 */
export function parseLlamaPerplexityHellaswag(text: string, visitOrder: readonly number[], source = "hellaswag.out"): Map<number, boolean> {
  const steps = correctnessFromCumulative(text, source);
  if (steps.length > visitOrder.length) throw new InvalidRequestError({ message: `${source}: ${steps.length} task lines for ${visitOrder.length} tasks` });
  return new Map(steps.map((correct, step) => [visitOrder[step]!, correct]));
}

/** `llama-perplexity --multiple-choice` stdout → correctness per task in file order. */
export function parseLlamaPerplexityMultipleChoice(text: string, source = "multiple-choice.out"): boolean[] {
  return correctnessFromCumulative(text, source);
}

export type WinograndeReferenceLine = { task: number; scores: [number, number]; predicted: 1 | 2; gold: 1 | 2 };

/** `llama-perplexity --winogrande` stdout lines `%zu\t%.4lf\t%10.6f  %10.6f  %d  %d`. */
export function parseLlamaPerplexityWinogrande(text: string): WinograndeReferenceLine[] {
  const lines: WinograndeReferenceLine[] = [];
  for (const line of text.split("\n")) {
    const match = /^(\d+)\t[\d.]+\t\s*(-?[\d.]+|-?nan|-?inf)\s+(-?[\d.]+|-?nan|-?inf)\s+([12])\s+([12])\s*$/.exec(line);
    if (!match) continue;
    lines.push({ task: Number(match[1]), scores: [Number(match[2]), Number(match[3])], predicted: Number(match[4]) as 1 | 2, gold: Number(match[5]) as 1 | 2 });
  }
  return lines;
}
