import { InvalidRequestError } from "../../spec/index.js";
import type { LoglikelihoodBackend } from "../types.js";
import { argmaxStrict } from "./argmax.js";
import { commonPrefixLength } from "./common-prefix-length.js";

export type LlamaCppAccumulation = "double" | "float";

export type LlamaCppCandidatesScore = {
  /** Mean log-probability of each candidate's tokens after the common prefix. */
  scores: number[];
  /** Strict-`>` argmax of `scores`. */
  prediction: number;
  commonPrefixLength: number;
  /** Number of tokens averaged per candidate (`length - commonPrefixLength`). */
  scoredTokenCounts: number[];
  tokenCounts: number[];
};

export type LlamaCppCandidatesOptions = {
  /**
   * `double` as `hellaswag_score` (double sum and mean), `float` as `multiple_choice_score` (float sum and
   * mean, emulated with `Math.fround`). Defaults to `double`.
   */
  accumulation?: LlamaCppAccumulation;
  signal?: AbortSignal | undefined;
};

/**
 * The rule of `llama-perplexity --hellaswag` and `--multiple-choice`: every candidate is tokenised in full
 * with BOS, the common token prefix of all candidates is found, and a candidate's score is the mean
 * log-probability of its tokens after that prefix (the first one scored from the last prefix token).
 * Tokens shared by every candidate are never scored.
 *
 * Deviation: when one candidate's tokens are all inside the common prefix, llama.cpp reads past the end
 * of its token vector (undefined behaviour); we shorten the prefix by one so every candidate keeps one token.
 */
export async function scoreLlamaCppCandidates(
  backend: LoglikelihoodBackend,
  candidates: readonly string[],
  options: LlamaCppCandidatesOptions = {},
): Promise<LlamaCppCandidatesScore> {
  if (candidates.length < 2) throw new InvalidRequestError({ message: "a multiple-choice item needs at least 2 candidates" });
  const sequences = await Promise.all(candidates.map((candidate) => backend.tokenize(candidate, { addBos: true })));
  const shortest = Math.min(...sequences.map((sequence) => sequence.length));
  const prefix = Math.min(commonPrefixLength(sequences), shortest - 1);
  if (prefix < 1) {
    throw new InvalidRequestError({
      message: "llama.cpp scoring needs a shared first token (BOS or common text) to score the first candidate token from",
    });
  }
  const logProbabilities = await backend.scoreTokens(
    sequences.map((tokens) => ({ tokens, from: prefix })),
    { signal: options.signal },
  );
  const float = (options.accumulation ?? "double") === "float";
  const scores = logProbabilities.map((values) => {
    if (float) {
      let sum = 0;
      for (const value of values) sum = Math.fround(sum + Math.fround(value));
      return Math.fround(sum / values.length);
    }
    let sum = 0;
    for (const value of values) sum += value;
    return sum / values.length;
  });
  return {
    scores,
    prediction: argmaxStrict(scores),
    commonPrefixLength: prefix,
    scoredTokenCounts: sequences.map((sequence) => sequence.length - prefix),
    tokenCounts: sequences.map((sequence) => sequence.length),
  };
}
