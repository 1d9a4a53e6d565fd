import type { PiiScanner } from "../detectors/index.js";
import { labelOf } from "../policy/entity-labels.js";
import type { PolicyAction } from "../policy/policy-action.js";
import { redactionOf } from "../masking/placeholder-vault.js";
import type { FoundSpan, RewriteRule } from "./rewrite-rule.js";

/**
 * Output detectors: values the model itself produced (not the caller's: those come back as placeholders, which no
 * detector matches) are redacted, audited or block the answer, as `actionFor` says for their entity type (`allow`:
 * left alone; `mask` redacts too, as nobody could unmask them). Holds back the longest text a detection could span,
 * and scans with as much context before the unsent text.
 */
export function detectorRule(scanner: PiiScanner, actionFor: (entityType: string) => PolicyAction, scan: (text: string) => ReturnType<PiiScanner["scan"]> = (text) => scanner.scan(text)): RewriteRule {
  const hold = Math.max(0, scanner.maxDetectionLength - 1);
  return {
    contextLength: scanner.maxDetectionLength,
    // Each run scans the whole context: send on in pieces of at least this many characters.
    minimumRelease: 64,
    find(window) {
      const spans: FoundSpan[] = [];
      for (const detection of scan(window)) {
        const action = actionFor(detection.entityType);
        if (action === "allow") continue;
        const value = window.slice(detection.start, detection.end);
        const decision = { rule: `output.${detection.entityType}`, action: action === "mask" ? ("redact" as const) : action, entityType: detection.entityType, value };
        const text = action === "audit" ? value : redactionOf(labelOf(detection.entityType));
        spans.push({ start: detection.start, end: detection.end, text, decision });
      }
      return spans;
    },
    pendingLength(window) {
      return Math.min(window.length, hold);
    },
  };
}
