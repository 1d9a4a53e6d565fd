import type { LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";
import type { TokenLogprob } from "../spec/index.js";
import { AsyncLock } from "./async-lock.js";
import { tokenLogprobFromProbabilities } from "./token-logprobs.js";

/**
 * Prompt scoring runs one sequence at a time per context. Several sequences' multi-token `controlledEvaluate` calls
 * landing in one dispatch that node-llama-cpp splits over several batches returned wrong probabilities for some of
 * them (seen as log-probability sums off by tens of nats under load); serialising them avoids the split.
 */
const scoringLocks = new WeakMap<LlamaContext, AsyncLock>();

function scoringLock(context: LlamaContext): AsyncLock {
  let lock = scoringLocks.get(context);
  if (!lock) scoringLocks.set(context, (lock = new AsyncLock()));
  return lock;
}

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
  const results = await scoringLock(sequence.context).run(() =>
    sequence.controlledEvaluate(head.map((token, index) => (index + 1 >= firstScored ? [token, { generateNext: { probabilities: true } }] : token))),
  );
  const logprobs: (TokenLogprob | null)[] = [];
  for (let index = bosCount; index < promptTokens.length; index++) {
    const probabilities = index >= firstScored ? results[index - 1]?.next.probabilities : undefined;
    logprobs.push(probabilities ? tokenLogprobFromProbabilities(model, promptTokens[index]!, probabilities, topCount, promptTokens.slice(index - 1, index)) : null);
  }
  return logprobs;
}
