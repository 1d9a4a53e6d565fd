import type { LanguageModelStreamPart, TokenLogprob } from "../../spec/index.js";
import type { CompletionToken } from "./convert-logprobs.js";

type OutputPart = Extract<LanguageModelStreamPart, { type: "prompt-echo" | "text-delta" }>;

/** Completion text as a `text-delta` part, with the logprobs of its tokens when present. */
export function textDeltaParts(text: string, tokens: CompletionToken[] | undefined): OutputPart[] {
  if (text === "") return [];
  const logprobs = tokens?.map((token) => token.logprob).filter((logprob): logprob is TokenLogprob => logprob !== null);
  return [logprobs ? { type: "text-delta", delta: text, logprobs } : { type: "text-delta", delta: text }];
}

/**
 * Separates the echoed prompt from the completion in a legacy `/completions` stream with `echo`:
 * upstreams that honour echo send the prompt text (and its token logprobs) first. Text is held back
 * until it either starts with the prompt (→ one `prompt-echo` part, then text deltas) or cannot
 * (→ the upstream ignored echo; everything is completion text).
 */
export class EchoSplitter {
  private pendingText = "";
  private pendingTokens: CompletionToken[] | undefined;
  private decided = false;

  constructor(private readonly prompt: string) {}

  push(text: string, tokens: CompletionToken[] | undefined): OutputPart[] {
    if (this.decided) return textDeltaParts(text, tokens);
    this.pendingText += text;
    if (tokens) this.pendingTokens = [...(this.pendingTokens ?? []), ...tokens];
    if (this.pendingText.length < this.prompt.length && this.prompt.startsWith(this.pendingText)) return [];
    return this.decide();
  }

  /** Whatever is still held back, at the end of the stream. */
  flush(): OutputPart[] {
    return this.decided ? [] : this.decide();
  }

  private decide(): OutputPart[] {
    this.decided = true;
    const text = this.pendingText;
    const tokens = this.pendingTokens;
    if (!text.startsWith(this.prompt) || this.prompt === "") return textDeltaParts(text, tokens);
    let echoedTokens = 0;
    let echoedLength = 0;
    while (tokens && echoedTokens < tokens.length && echoedLength < this.prompt.length) {
      echoedLength += tokens[echoedTokens]?.text.length ?? 0;
      echoedTokens += 1;
    }
    const echo: OutputPart = tokens
      ? { type: "prompt-echo", text: this.prompt, logprobs: tokens.slice(0, echoedTokens).map((token) => token.logprob) }
      : { type: "prompt-echo", text: this.prompt };
    return [echo, ...textDeltaParts(text.slice(this.prompt.length), tokens?.slice(echoedTokens))];
  }
}
