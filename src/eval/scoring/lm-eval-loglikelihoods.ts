import type { LoglikelihoodBackend } from "../types.js";
import { encodeLmEvalPair, type LmEvalEncodingOptions } from "./lm-eval-encode-pair.js";

export type LoglikelihoodRequest = { context: string; continuation: string };

export type LmEvalLoglikelihoods = {
  /** Summed log-probability of each continuation's tokens. */
  logLikelihoods: number[];
  continuationTokenCounts: number[];
};

/** lm-eval `loglikelihood`: one summed log-probability per (context, continuation), scored as one batch. */
export async function computeLmEvalLoglikelihoods(
  backend: LoglikelihoodBackend,
  requests: readonly LoglikelihoodRequest[],
  options: LmEvalEncodingOptions & { signal?: AbortSignal | undefined } = {},
): Promise<LmEvalLoglikelihoods> {
  const encoded = await Promise.all(requests.map((request) => encodeLmEvalPair(backend, request.context, request.continuation, options)));
  const results = await backend.scoreTokens(
    encoded.map((pair) => ({ tokens: [...pair.contextTokens, ...pair.continuationTokens], from: pair.contextTokens.length })),
    { signal: options.signal },
  );
  return {
    logLikelihoods: results.map((values) => values.reduce((sum, value) => sum + value, 0)),
    continuationTokenCounts: encoded.map((pair) => pair.continuationTokens.length),
  };
}
