import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { TokenLogprob } from "../spec/index.js";
import { scoringStepBatchFor } from "./scoring-job-batch.js";
import { tokenLogprobFromProbabilities } from "./token-logprobs.js";

/**
 * Evaluates all prompt tokens but the last and returns log P(token_i | tokens_<i) for each prompt text
 * token, from the full-vocabulary next-token distribution (no sampler settings). The first text token
 * has no scored context and gets `null` (OpenAI's convention). `bosCount` leading tokens (BOS) are
 * context only and get no entry. The caller then generates from the last prompt token.
 */
export async function evaluatePromptLogprobs(
  sequence: LlamaContextSequence,
  promptTokens: readonly Token[],
  bosCount: number,
  topCount: number,
): Promise<(TokenLogprob | null)[]> {
  const model = sequence.model;
  const head = promptTokens.slice(0, -1);
  const firstScored = bosCount + 1; // index of the first text token that gets a logprob
  // Through the context's scoring batch: concurrent echo requests (and scoring jobs) of one scheduler step decode
  // together in the order that keeps multi-sequence output sampling safe (see ScoringStepBatch).
  const results = await scoringStepBatchFor(sequence.context).evaluate(
    sequence,
    head.map((token, index) => (index + 1 >= firstScored ? [token, { generateNext: { probabilities: true } }] : token)),
  );
  const logprobs: (TokenLogprob | null)[] = [];
  for (let index = bosCount; index < promptTokens.length; index++) {
    const probabilities = index >= firstScored ? results[index - 1]?.next.probabilities : undefined;
    logprobs.push(probabilities ? tokenLogprobFromProbabilities(model, promptTokens[index]!, probabilities, topCount, promptTokens.slice(index - 1, index)) : null);
  }
  return logprobs;
}
