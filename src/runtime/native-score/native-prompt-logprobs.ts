import type { LlamaModel, Token } from "node-llama-cpp";
import type { TokenLogprob } from "../../spec/index.js";
import { tokenLogprobFromScores } from "../token-logprobs.js";
import type { RegisteredModel } from "../types.js";
import type { NativeScoreEngine } from "./native-score-engine.js";

/** Computes the echoed prompt's log-probabilities for a generation (see GenerationJobOptions.scorePromptLogprobs). */
export type PromptLogprobsScorer = (
  model: LlamaModel,
  promptTokens: readonly Token[],
  bosCount: number,
  topCount: number,
  signal?: AbortSignal | undefined,
) => Promise<(TokenLogprob | null)[]>;

/**
 * Prompt log-probabilities for completions `echo` + `logprobs` from the native scorer, with the same shape as the
 * in-process evaluatePromptLogprobs: one entry per prompt text token (leading BOS tokens get none), `null` for the
 * first (no scored context), and the `topCount` most likely alternatives per token. Token texts come from the
 * in-process model's tokenizer (same vocabulary), so only ids and float32 log-probabilities cross the pipe.
 */
export function nativePromptLogprobs(engine: NativeScoreEngine, registered: RegisteredModel): PromptLogprobsScorer {
  return async (model, promptTokens, bosCount, topCount, signal) => {
    const firstScored = bosCount + 1;
    const logprobs: (TokenLogprob | null)[] = [];
    if (promptTokens.length <= firstScored) {
      for (let index = bosCount; index < promptTokens.length; index++) logprobs.push(null);
      return logprobs;
    }
    const results = await engine.score(registered, [[{ tokens: promptTokens, from: firstScored }]], { topK: topCount, signal });
    const result = results[0]?.[0];
    if (!result) throw new Error("the native scorer returned no result");
    const top = Math.min(topCount, result.topIds ? result.topIds.length / Math.max(1, result.logprobs.length) : 0);
    for (let index = bosCount; index < promptTokens.length; index++) {
      if (index < firstScored) {
        logprobs.push(null);
        continue;
      }
      const row = index - firstScored;
      const alternatives =
        result.topIds && result.topLogprobs && top > 0
          ? { ids: result.topIds.subarray(row * top, (row + 1) * top), logprobs: result.topLogprobs.subarray(row * top, (row + 1) * top) }
          : undefined;
      logprobs.push(tokenLogprobFromScores(model, promptTokens[index]!, result.logprobs[row]!, alternatives, topCount, promptTokens.slice(index - 1, index)));
    }
    return logprobs;
  };
}
