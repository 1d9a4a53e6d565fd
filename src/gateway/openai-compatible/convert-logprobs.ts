import type { TokenLogprob } from "../../spec/index.js";
import type { ChatLogprobs, CompletionLogprobs } from "./chunk-schemas.js";

function utf8Bytes(token: string): number[] {
  return [...Buffer.from(token, "utf8")];
}

/** Chat `logprobs.content` entries as TokenLogprobs (`bytes` derived from the token when absent). */
export function convertChatLogprobs(logprobs: ChatLogprobs | null | undefined): TokenLogprob[] | undefined {
  const content = logprobs?.content;
  if (!content) return undefined;
  return content.map((entry) => ({
    token: entry.token,
    bytes: entry.bytes ?? utf8Bytes(entry.token),
    logprob: entry.logprob,
    topLogprobs: (entry.top_logprobs ?? []).map((top) => ({
      token: top.token,
      bytes: top.bytes ?? utf8Bytes(top.token),
      logprob: top.logprob,
    })),
  }));
}

/** One legacy-completions token with its text, and its logprob (null for the first prompt token). */
export type CompletionToken = { text: string; logprob: TokenLogprob | null };

/** Legacy completions `logprobs` ({tokens, token_logprobs, top_logprobs}) as one entry per token. */
export function convertCompletionLogprobs(logprobs: CompletionLogprobs | null | undefined): CompletionToken[] | undefined {
  const tokens = logprobs?.tokens;
  if (!tokens) return undefined;
  return tokens.map((token, index) => {
    const logprob = logprobs.token_logprobs?.[index];
    if (logprob === null || logprob === undefined) return { text: token, logprob: null };
    const alternatives = logprobs.top_logprobs?.[index] ?? {};
    return {
      text: token,
      logprob: {
        token,
        bytes: utf8Bytes(token),
        logprob,
        topLogprobs: Object.entries(alternatives).map(([alternative, value]) => ({
          token: alternative,
          bytes: utf8Bytes(alternative),
          logprob: value,
        })),
      },
    };
  });
}
