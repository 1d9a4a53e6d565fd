import type { LlamaModel, Token } from "node-llama-cpp";
import type { TokenLogprob } from "../spec/index.js";

const encoder = new TextEncoder();

function tokenText(model: LlamaModel, token: Token, previous: readonly Token[]): { token: string; bytes: number[] } {
  const text = model.detokenize([token], true, previous);
  return { token: text, bytes: Array.from(encoder.encode(text)) };
}

/**
 * A TokenLogprob for `token` from a next-token probability map (sorted, most likely first, as
 * node-llama-cpp returns it), with the `topCount` most likely alternatives.
 */
export function tokenLogprobFromProbabilities(
  model: LlamaModel,
  token: Token,
  probabilities: Map<Token, number>,
  topCount: number,
  /** The token before `token`, so a leading space is rendered as in the text. */
  previous: readonly Token[] = [],
): TokenLogprob {
  const topLogprobs: TokenLogprob["topLogprobs"] = [];
  if (topCount > 0) {
    for (const [candidate, probability] of probabilities) {
      if (topLogprobs.length >= topCount) break;
      topLogprobs.push({ ...tokenText(model, candidate, previous), logprob: Math.log(probability) });
    }
  }
  const probability = probabilities.get(token) ?? 0;
  return { ...tokenText(model, token, previous), logprob: Math.log(probability), topLogprobs };
}

/**
 * A TokenLogprob from precomputed log-probabilities (the native scorer): `logprob` of `token`, and the alternatives
 * `topIds`/`topLogprobs` (most likely first), of which the first `topCount` are kept.
 */
export function tokenLogprobFromScores(
  model: LlamaModel,
  token: Token,
  logprob: number,
  top: { ids: ArrayLike<number>; logprobs: ArrayLike<number> } | undefined,
  topCount: number,
  previous: readonly Token[] = [],
): TokenLogprob {
  const topLogprobs: TokenLogprob["topLogprobs"] = [];
  for (let rank = 0; top && rank < Math.min(topCount, top.ids.length); rank++) {
    topLogprobs.push({ ...tokenText(model, top.ids[rank]! as Token, previous), logprob: top.logprobs[rank]! });
  }
  return { ...tokenText(model, token, previous), logprob, topLogprobs };
}
