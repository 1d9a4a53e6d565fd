/** A guardrail decision about a span of the model's output (audited before the span is sent on). */
export type OutputDecision = {
  rule: string;
  action: "audit" | "mask" | "redact" | "block" | "flag" | "strip";
  entityType: string | undefined;
  /** The detected text (HMAC'd for the audit log, never stored or sent). */
  value: string;
};

/** A span of a window to replace (offsets into the window), with the decision behind it, if any. */
export type FoundSpan = { start: number; end: number; text: string; decision?: OutputDecision | undefined };

/**
 * One kind of span the streaming rewriter replaces in the model's output: issued placeholders (unmasking), values the
 * output detectors find, the canary.
 */
export interface RewriteRule {
  /** Characters before the text not yet sent that `find` needs as context (0: none). */
  readonly contextLength: number;
  /**
   * Spans of `window` to replace (non-overlapping within this rule). Throws when a detector fails. `unsentStart`: where
   * the text not yet sent begins in the window (a rule may skip spans that end before it).
   */
  find(window: string, unsentStart: number): FoundSpan[];
  /** How many characters at the end of a window that has not ended yet could still start, or grow into, a span. */
  pendingLength(window: string, unsentStart: number): number;
  /**
   * Fewest characters worth sending on before the output ends (a costly rule scans its whole context each time it
   * runs: it waits for this many). Defaults to 1.
   */
  readonly minimumRelease?: number | undefined;
}
