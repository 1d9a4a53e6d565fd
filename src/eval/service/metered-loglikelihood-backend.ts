import { commonPrefixLength } from "../scoring/common-prefix-length.js";
import type { LoglikelihoodBackend, ScoreTokensOptions, TokenScoreRequest } from "../types.js";
import type { EvalMeter } from "./eval-meter.js";

export type MeteredBackendOptions = {
  meter: EvalMeter;
  /** The public model name (price book, allowed models). */
  model: string;
  /** The key billed; undefined for the local operator. */
  keyId: string | undefined;
  /**
   * The ledger route: `local`, or undefined for providers, whose answers name their routes (the providers that
   * answered, comma-separated, in the order they did).
   */
  route: string | undefined;
};

/**
 * Bills each `scoreTokens` call (one item) as one ledger entry: the tokens the model decodes (the requests' common
 * prefix once, then each continuation) as input tokens, no output tokens.
 */
export function meteredLoglikelihoodBackend(backend: LoglikelihoodBackend, options: MeteredBackendOptions): LoglikelihoodBackend {
  return {
    description: backend.description,
    get prefixTokenId() {
      return backend.prefixTokenId;
    },
    tokenize: (text, tokenizeOptions) => backend.tokenize(text, tokenizeOptions),
    async scoreTokens(requests: readonly TokenScoreRequest[], scoreOptions?: ScoreTokensOptions): Promise<number[][]> {
      const inputTokens = decodedTokens(requests);
      const entry = await options.meter({ keyId: options.keyId, model: options.model, maxInputTokens: inputTokens, maxOutputTokens: 0 });
      const routes = new Set<string>();
      const route = (): string | undefined => (routes.size > 0 ? [...routes].join(",") : options.route);
      try {
        const scores = await backend.scoreTokens(requests, {
          ...scoreOptions,
          requestId: entry.id,
          onRoute: (answered) => {
            routes.add(answered);
            scoreOptions?.onRoute?.(answered);
          },
        });
        await entry.settle({ usage: { inputTokens, outputTokens: 0 }, route: route(), status: "ok" });
        return scores;
      } catch (error) {
        await entry.settle({
          usage: { inputTokens: undefined, outputTokens: 0 },
          route: route(),
          status: scoreOptions?.signal?.aborted ? "cancelled" : "error",
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        throw error;
      }
    },
  };
}

/** Tokens decoded for a batch of requests that share their common prefix. */
function decodedTokens(requests: readonly TokenScoreRequest[]): number {
  if (requests.length === 0) return 0;
  const shared = requests.length === 1 ? requests[0]!.tokens.length : commonPrefixLength(requests.map((request) => request.tokens));
  return shared + requests.reduce((sum, request) => sum + Math.max(0, request.tokens.length - shared), 0);
}
