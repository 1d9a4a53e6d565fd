import type { LlamaModel, Token } from "node-llama-cpp";

/** Longest UTF-8 sequence: after this many held tokens, invalid bytes are emitted as U+FFFD. */
const maximumHeldTokens = 4;

/**
 * Turns a growing token list into text deltas. A multi-byte character split across tokens comes out
 * whole; bytes that never form valid UTF-8 (random-weight models) become U+FFFD instead of throwing.
 * Decodes with a little left context so tokenizers that strip a leading space stay exact.
 */
export class IncrementalDetokenizer {
  private readonly tokens: Token[] = [];
  private prefixOffset = 0;
  private readOffset = 0;

  /** `contextTokens`: the last few prompt tokens, decoded only as left context for the first delta. */
  constructor(
    private readonly model: LlamaModel,
    contextTokens: readonly Token[] = [],
  ) {
    this.tokens.push(...contextTokens.slice(-maximumHeldTokens));
    this.readOffset = this.tokens.length;
  }

  /** Adds one token; returns the text that is now complete (may be empty). */
  push(token: Token): string {
    this.tokens.push(token);
    const prefixText = this.decode(this.prefixOffset, this.readOffset);
    const fullText = this.decode(this.prefixOffset, this.tokens.length);
    const incomplete = fullText.endsWith("\uFFFD") && this.tokens.length - this.readOffset < maximumHeldTokens;
    if (incomplete || fullText.length <= prefixText.length) return "";
    this.prefixOffset = this.readOffset;
    this.readOffset = this.tokens.length;
    return fullText.slice(prefixText.length);
  }

  /** Text of tokens still held back (called once generation ends). */
  flush(): string {
    const prefixText = this.decode(this.prefixOffset, this.readOffset);
    const fullText = this.decode(this.prefixOffset, this.tokens.length);
    this.prefixOffset = this.readOffset = this.tokens.length;
    return fullText.length > prefixText.length ? fullText.slice(prefixText.length) : "";
  }

  private decode(start: number, end: number): string {
    if (end <= start) return "";
    return this.model.detokenize(this.tokens.slice(start, end), false);
  }
}
