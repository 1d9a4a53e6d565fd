import type { LanguageModelCallOptions } from "../../spec/index.js";
import type { CompletionRequest } from "./completion-request-schema.js";
import { toSamplingOptions } from "./to-sampling-options.js";

/** A validated legacy completion request as call options (without the abort signal). */
export function toCompletionCallOptions(request: CompletionRequest): {
  options: Omit<LanguageModelCallOptions, "abortSignal">;
  maxTokens: number | undefined;
  maxTokensParam: string;
} {
  // OpenAI's legacy default is 16 tokens.
  const maxTokens = request.max_tokens ?? 16;
  return {
    options: {
      prompt: { type: "text", text: request.prompt, echo: request.echo ?? undefined },
      sampling: toSamplingOptions(request, maxTokens),
      logprobs: request.logprobs !== undefined && request.logprobs !== null ? { topLogprobs: request.logprobs } : undefined,
      stream: request.stream === true,
    },
    maxTokens,
    maxTokensParam: "max_tokens",
  };
}
