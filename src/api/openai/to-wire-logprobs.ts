import type { TokenLogprob } from "../../spec/index.js";
import type { WireCompletionLogprobs, WireTokenLogprob } from "./wire-types.js";

/** Chat `logprobs.content` entries. */
export function toChatLogprobs(logprobs: readonly TokenLogprob[]): WireTokenLogprob[] {
  return logprobs.map((entry) => ({
    token: entry.token,
    logprob: entry.logprob,
    bytes: entry.bytes,
    top_logprobs: entry.topLogprobs.map((top) => ({ token: top.token, logprob: top.logprob, bytes: top.bytes })),
  }));
}

/**
 * Legacy completion logprobs. `textOffset` is the character offset of the first token; `null` entries (the first
 * prompt token, which has nothing to be predicted from) keep a null logprob and null alternatives.
 */
export function toCompletionLogprobs(
  logprobs: readonly (TokenLogprob | null)[],
  tokens: readonly string[],
  textOffset: number,
): WireCompletionLogprobs {
  const result: WireCompletionLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
  let offset = textOffset;
  logprobs.forEach((entry, index) => {
    const token = entry?.token ?? tokens[index] ?? "";
    result.tokens.push(token);
    result.token_logprobs.push(entry ? entry.logprob : null);
    result.top_logprobs.push(entry ? Object.fromEntries(entry.topLogprobs.map((top) => [top.token, top.logprob])) : null);
    result.text_offset.push(offset);
    offset += token.length;
  });
  return result;
}
