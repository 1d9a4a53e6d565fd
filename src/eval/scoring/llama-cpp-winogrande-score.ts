import { InvalidRequestError } from "../../spec/index.js";
import type { LoglikelihoodBackend, TokenScoreRequest } from "../types.js";
import { commonPrefixLength } from "./common-prefix-length.js";

/** llama.cpp `winogrande_score`: both candidates need more than this many tokens after the common prefix to skip the option words. */
export const winograndeMinimumTrailingContext = 3;

export type LlamaCppWinograndeScore = {
  /** Float means, as llama.cpp computes them; NaN when no token is left to score. */
  scores: [number, number];
  /** 0 when `scores[0] > scores[1]`, else 1 (ties go to option 2). */
  prediction: 0 | 1;
  commonPrefixLength: number;
  /** Whether both candidates were scored from the end of `first + option` (partial scoring). */
  skippedChoice: boolean;
  /** First scored token position per candidate (`n_base`). */
  scoredFrom: [number, number];
  scoredTokenCounts: [number, number];
};

export type WinograndeSentence = { first: string; second: string; options: readonly [string, string] };

/**
 * `llama-perplexity --winogrande`, exactly:
 * - candidate k = `first + option_k + second`, tokenised with BOS; `n_base_k = len(tokenize(first + option_k))`;
 * - if both candidates have more than 3 tokens after the common prefix, score from `n_base_k`
 *   (the option words and everything before them are context), otherwise from the common prefix;
 * - the last token is excluded when more than one token remains; the score is the float mean;
 * - FIXME reproduced: when scoring from the common prefix, option 2's first token is scored from the
 *   logits of option 1's *last* token, i.e. as `P(seq2[prefix] | seq1)`.
 *
 * Deviation: if `n_base_k` does not exceed the common prefix while partial scoring applies, llama.cpp
 * indexes logits it never computed (unsigned underflow); we score the true conditionals instead.
 */
export async function scoreLlamaCppWinogrande(
  backend: LoglikelihoodBackend,
  sentence: WinograndeSentence,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<LlamaCppWinograndeScore> {
  const [option1, option2] = sentence.options;
  const [sequence1, sequence2, base1, base2] = await Promise.all([
    backend.tokenize(sentence.first + option1 + sentence.second, { addBos: true }),
    backend.tokenize(sentence.first + option2 + sentence.second, { addBos: true }),
    backend.tokenize(sentence.first + option1, { addBos: true }),
    backend.tokenize(sentence.first + option2, { addBos: true }),
  ]);
  const prefix = commonPrefixLength([sequence1, sequence2]);
  if (prefix < 1) {
    throw new InvalidRequestError({ message: "llama.cpp WinoGrande scoring needs a shared first token (BOS)" });
  }
  const skippedChoice = sequence1.length - prefix > winograndeMinimumTrailingContext && sequence2.length - prefix > winograndeMinimumTrailingContext;
  const from1 = skippedChoice ? base1.length : prefix;
  const from2 = skippedChoice ? base2.length : prefix;
  const last1 = sequence1.length - from1 > 1 ? 1 : 0;
  const last2 = sequence2.length - from2 > 1 ? 1 : 0;
  const count1 = Math.max(0, sequence1.length - from1 - last1);
  const count2 = Math.max(0, sequence2.length - from2 - last2);

  const requests: TokenScoreRequest[] = [];
  if (count1 > 0) requests.push({ tokens: sequence1.slice(0, from1 + count1), from: from1 });
  const misplacedFirstLogits = !skippedChoice && count2 > 0;
  if (misplacedFirstLogits) {
    requests.push({ tokens: [...sequence1, sequence2[from2]!], from: sequence1.length });
    if (count2 > 1) requests.push({ tokens: sequence2.slice(0, from2 + count2), from: from2 + 1 });
  } else if (count2 > 0) {
    requests.push({ tokens: sequence2.slice(0, from2 + count2), from: from2 });
  }
  const results = requests.length > 0 ? await backend.scoreTokens(requests, { signal: options.signal }) : [];
  const values1 = count1 > 0 ? results[0]! : [];
  const values2 = results.slice(count1 > 0 ? 1 : 0).flat();
  const score1 = floatMean(values1, sequence1.length - from1 - last1);
  const score2 = floatMean(values2, sequence2.length - from2 - last2);
  return {
    scores: [score1, score2],
    prediction: score1 > score2 ? 0 : 1,
    commonPrefixLength: prefix,
    skippedChoice,
    scoredFrom: [from1, from2],
    scoredTokenCounts: [count1, count2],
  };
}

function floatMean(values: readonly number[], divisor: number): number {
  let sum = 0;
  for (const value of values) sum = Math.fround(sum + Math.fround(value));
  return Math.fround(sum / divisor);
}
