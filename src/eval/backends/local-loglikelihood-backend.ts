import type { PromptScorer, RegisteredModel, Runtime } from "../../runtime/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import type { LoglikelihoodBackend, ScoreTokensOptions, TokenizeOptions, TokenScoreRequest } from "../types.js";

/**
 * A `LoglikelihoodBackend` over a local model of the runtime: the model is loaded through the runtime's pool
 * (memory budget, LRU) and each call runs on one sequence of its scheduler, sharing the requests' common prefix.
 * BOS follows the GGUF (`add_bos_token`), as llama.cpp's `common_tokenize(…, add_special = true)` does.
 */
export function createLocalLoglikelihoodBackend(runtime: Runtime, model: RegisteredModel): LoglikelihoodBackend {
  if (!runtime.promptScorer) throw new InvalidRequestError({ message: "this runtime cannot score prompts", param: "model" });
  if (model.kind !== "llm") throw new InvalidRequestError({ message: `model ${model.name} is an embedding model; log-likelihood tasks need a language model`, param: "model" });
  const scorer: PromptScorer = runtime.promptScorer(model);
  const fingerprint = model.metadata.fileSizeBytes;
  return {
    description: `local:${model.name}#${fingerprint}`,
    get prefixTokenId() {
      return scorer.prefixTokenId;
    },
    tokenize: (text: string, options: TokenizeOptions) => scorer.tokenize(text, options),
    scoreTokens: (requests: readonly TokenScoreRequest[], options?: ScoreTokensOptions) => scorer.scoreTokens(requests, options),
    itemsInFlight: scorer.callsInFlight,
  };
}
