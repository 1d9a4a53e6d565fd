import type { TokenLogprob } from "../../spec/index.js";
import type { WireCompletionLogprobs } from "./wire-types.js";
import { toCompletionLogprobs } from "./to-wire-logprobs.js";

/**
 * Legacy logprobs of an echoed prompt. The first prompt token has no logprob (`null`, as OpenAI reports it); its
 * text is what the prompt holds before the other tokens.
 */
export function echoLogprobs(text: string, logprobs: readonly (TokenLogprob | null)[]): WireCompletionLogprobs {
  const rest = logprobs.slice(1).map((entry) => entry?.token ?? "").join("");
  const first = text.endsWith(rest) ? text.slice(0, text.length - rest.length) : "";
  return toCompletionLogprobs(logprobs, [first], 0);
}
