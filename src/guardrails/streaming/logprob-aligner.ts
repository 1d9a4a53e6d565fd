import type { TokenLogprob } from "../../spec/index.js";
import type { AppliedReplacement } from "./streaming-rewriter.js";

type PlacedToken = { start: number; end: number; logprob: TokenLogprob };

/**
 * Keeps the log-probabilities of the model's tokens in step with the rewritten text: a token is handed on once the
 * text it covers was sent, and a token that overlaps a replaced span is rewritten (the first one carries the
 * replacement, the others only their own text outside it; their alternatives are dropped, as they would describe the
 * replaced value). The rewritten tokens concatenate to the text sent on.
 */
export class LogprobAligner {
  private readonly pending: PlacedToken[] = [];
  private replacements: AppliedReplacement[] = [];
  private readonly encoder = new TextEncoder();

  /** Places the tokens of a delta that starts at `start` in the model's output. */
  add(start: number, delta: string, logprobs: readonly TokenLogprob[]): void {
    const deltaEnd = start + delta.length;
    let position = start;
    for (const logprob of logprobs) {
      const end = Math.min(deltaEnd, position + logprob.token.length);
      this.pending.push({ start: position, end, logprob });
      position = end;
    }
  }

  /** Tokens whose text ends at or before `upTo` (all of them when `final`), rewritten by `replacements` applied so far. */
  release(upTo: number, replacements: readonly AppliedReplacement[], final: boolean): TokenLogprob[] {
    this.replacements.push(...replacements);
    const released: TokenLogprob[] = [];
    while (this.pending.length > 0 && (final || this.pending[0]!.end <= upTo)) released.push(this.rewrite(this.pending.shift()!));
    const earliest = this.pending[0]?.start ?? upTo;
    this.replacements = this.replacements.filter((replacement) => replacement.end > earliest);
    return released;
  }

  private rewrite(token: PlacedToken): TokenLogprob {
    const overlapping = this.replacements.filter((replacement) => replacement.start < token.end && replacement.end > token.start);
    if (overlapping.length === 0) return token.logprob;
    const text = token.logprob.token;
    let result = "";
    let position = token.start;
    for (const replacement of overlapping) {
      if (replacement.start > position) result += text.slice(position - token.start, replacement.start - token.start);
      if (replacement.start >= token.start) result += replacement.text;
      position = Math.max(position, Math.min(replacement.end, token.end));
    }
    result += text.slice(position - token.start);
    return { token: result, bytes: [...this.encoder.encode(result)], logprob: token.logprob.logprob, topLogprobs: [] };
  }
}
