import type { Detection, PiiScanner } from "../detectors/index.js";
import { labelOf } from "../policy/entity-labels.js";
import type { PolicyAction } from "../policy/policy-action.js";
import { redactionOf } from "../masking/placeholder-vault.js";
import type { FoundSpan, RewriteRule } from "./rewrite-rule.js";

/** A detection ending this close to the end of the text so far may still grow (`…2671` then ` ext. 12`): it is held. */
const growthGap = 8;

/**
 * Output detectors: values the model itself produced (not the caller's: those come back as placeholders, which no
 * detector matches) are redacted, audited or block the answer, as `actionFor` says for their entity type (`allow`:
 * left alone; `mask` redacts too, as nobody could unmask them).
 *
 * Incremental when the scanner supports it (`scanFrom`, `streamingTail`): each chunk is scanned from where the unsent
 * text begins, every detector reaching back only as far as its own longest detection, and only the tail that could
 * still become part of a detection is held back (an unfinished word, a run of digits and separators, a run of
 * capitalised words, an open private key, or a detection ending right at the end), so text is released as soon as
 * no detector could still claim it. Otherwise the whole context is scanned, the longest detection held back.
 * `scan(text, from)` returns the detections reaching into `text[from…]` (a full scan may return more).
 */
export function detectorRule(
  scanner: PiiScanner,
  actionFor: (entityType: string) => PolicyAction,
  scan: (text: string, from: number) => Detection[] = (text, from) => (scanner.scanFrom ? scanner.scanFrom(text, from) : scanner.scan(text)),
): RewriteRule {
  const hold = Math.max(0, scanner.maxDetectionLength - 1);
  const incremental = scanner.scanFrom !== undefined && scanner.streamingTail !== undefined;
  // The last scan, reused by the find() that follows a pendingLength() on the same window.
  let last: { window: string; from: number; detections: Detection[] } | undefined;
  const detectionsOf = (window: string, from: number): Detection[] => {
    if (last && last.from === from && last.window === window) return last.detections;
    const detections = scan(window, from);
    last = { window, from, detections };
    return detections;
  };
  return {
    contextLength: scanner.maxDetectionLength,
    // A full scan covers the whole context each time: send on in pieces of at least this many characters.
    minimumRelease: incremental ? 1 : 64,
    find(window, unsentStart) {
      const spans: FoundSpan[] = [];
      const detections = detectionsOf(window, unsentStart);
      last = undefined;
      for (const detection of detections) {
        const action = actionFor(detection.entityType);
        if (action === "allow") continue;
        const value = window.slice(detection.start, detection.end);
        const decision = { rule: `output.${detection.entityType}`, action: action === "mask" ? ("redact" as const) : action, entityType: detection.entityType, value };
        const text = action === "audit" ? value : redactionOf(labelOf(detection.entityType));
        spans.push({ start: detection.start, end: detection.end, text, decision });
      }
      return spans;
    },
    pendingLength(window, unsentStart) {
      if (!incremental) return Math.min(window.length, hold);
      let pending = scanner.streamingTail!(window);
      for (const detection of detectionsOf(window, unsentStart)) {
        if (window.length - detection.end < growthGap && actionFor(detection.entityType) !== "allow") pending = Math.max(pending, window.length - detection.start);
      }
      return Math.min(window.length, hold, pending);
    },
  };
}
