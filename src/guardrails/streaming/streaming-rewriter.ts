import type { FoundSpan, OutputDecision, RewriteRule } from "./rewrite-rule.js";

/** A replacement applied to the text sent on, in absolute offsets of the model's output. */
export type AppliedReplacement = { start: number; end: number; text: string; decision: OutputDecision | undefined };

/** What one step of the rewriter lets through: `text` replaces the model's output `[rawStart, rawEnd)`. */
export type RewrittenSegment = { text: string; rawStart: number; rawEnd: number; replacements: AppliedReplacement[] };

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Rewrites a text that arrives in chunks (the model's output) and sends on as much as is safe: it holds back only the
 * tail that could still start or complete a span one of its rules replaces (a placeholder's prefix, the longest entity
 * a detector could find, the canary's prefix), and never the middle of a surrogate pair. Every character of the output
 * passes through exactly one segment, after every rule saw it with its full context, however the chunks were split;
 * the concatenated segments equal the whole text with every span replaced.
 */
export class StreamingRewriter {
  private buffer = "";
  /** Absolute offset of `buffer[0]` in the model's output. */
  private bufferStart = 0;
  /** Absolute offset up to which the output was sent on. */
  private sent = 0;
  private readonly contextLength: number;
  private readonly minimumRelease: number;

  constructor(private readonly rules: readonly RewriteRule[]) {
    this.contextLength = Math.max(0, ...rules.map((rule) => rule.contextLength));
    this.minimumRelease = Math.max(1, ...rules.map((rule) => rule.minimumRelease ?? 1));
  }

  /** Absolute length of the output received so far. */
  get received(): number {
    return this.bufferStart + this.buffer.length;
  }

  /** Adds a chunk; returns what may be sent on now (possibly empty). Throws when a rule's detector fails. */
  push(chunk: string): RewrittenSegment {
    this.buffer += chunk;
    return this.step(false);
  }

  /** The output ended: everything still held back, rewritten. */
  flush(): RewrittenSegment {
    return this.step(true);
  }

  private step(final: boolean): RewrittenSegment {
    const end = this.received;
    const empty = { text: "", rawStart: this.sent, rawEnd: this.sent, replacements: [] };
    if (end === this.sent) return empty;
    const window = this.buffer;
    let cut = end;
    const unsentStart = this.sent - this.bufferStart;
    if (!final) for (const rule of this.rules) cut = Math.min(cut, end - Math.min(window.length, rule.pendingLength(window, unsentStart)));
    // Nothing (or too little) could be sent yet: the rules need not look for spans now.
    if (!final && cut - this.sent < this.minimumRelease) return empty;
    const spans = this.collectSpans(window, unsentStart);
    // Never inside a span, nor (before the end) between the halves of a surrogate pair.
    for (let moved = true; moved; ) {
      moved = false;
      for (const span of spans) {
        if (span.start < cut && span.end > cut) {
          cut = span.start;
          moved = true;
        }
      }
      if (!final && cut > this.sent && isHighSurrogate(this.buffer.charCodeAt(cut - 1 - this.bufferStart))) {
        cut -= 1;
        moved = true;
      }
    }
    if (cut <= this.sent) return empty;

    let text = "";
    let position = this.sent;
    const replacements: AppliedReplacement[] = [];
    for (const span of spans) {
      if (span.end > cut) break;
      text += this.slice(position, span.start) + span.text;
      replacements.push({ start: span.start, end: span.end, text: span.text, decision: span.decision });
      position = span.end;
    }
    text += this.slice(position, cut);
    const segment = { text, rawStart: this.sent, rawEnd: cut, replacements };
    this.sent = cut;
    // Keep the context the rules need before the next unsent character.
    const keepFrom = Math.max(this.bufferStart, this.sent - this.contextLength);
    this.buffer = this.buffer.slice(keepFrom - this.bufferStart);
    this.bufferStart = keepFrom;
    return segment;
  }

  /**
   * The spans of every rule over the unsent text, in absolute offsets, sorted and without overlaps (an earlier rule
   * wins a tie, then the earlier and longer span). A span reaching back into text already sent (a detector that needed
   * more context than it claimed) is cut at the sent boundary: the rest of it is still replaced.
   */
  private collectSpans(window: string, unsentStart: number): Array<FoundSpan & { rank: number }> {
    const found: Array<FoundSpan & { rank: number }> = [];
    this.rules.forEach((rule, rank) => {
      for (const span of rule.find(window, unsentStart)) {
        const start = span.start + this.bufferStart;
        const end = span.end + this.bufferStart;
        if (end <= this.sent) continue;
        found.push({ ...span, start: Math.max(start, this.sent), end, rank });
      }
    });
    found.sort((left, right) => left.start - right.start || left.rank - right.rank || right.end - left.end);
    const kept: Array<FoundSpan & { rank: number }> = [];
    let reached = this.sent;
    for (const span of found) {
      if (span.start < reached) continue;
      kept.push(span);
      reached = span.end;
    }
    return kept;
  }

  private slice(start: number, end: number): string {
    return this.buffer.slice(start - this.bufferStart, end - this.bufferStart);
  }
}
