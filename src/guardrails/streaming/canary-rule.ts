import type { FoundSpan, OutputDecision, RewriteRule } from "./rewrite-rule.js";

/**
 * The canary of the system prompt echoed in the answer (a sign the model was made to reveal its instructions): each
 * echo is removed and reported with `action` (`flag` and `strip` remove it, `block` ends the answer). Holds back a
 * tail that is the start of the canary.
 */
export function canaryRule(canary: string, action: OutputDecision["action"]): RewriteRule {
  return {
    contextLength: 0,
    find(window) {
      const spans: FoundSpan[] = [];
      for (let index = window.indexOf(canary); index !== -1; index = window.indexOf(canary, index + canary.length)) {
        spans.push({ start: index, end: index + canary.length, text: "", decision: { rule: "canary_echo", action, entityType: undefined, value: canary } });
      }
      return spans;
    },
    pendingLength(window) {
      for (let length = Math.min(canary.length - 1, window.length); length > 0; length -= 1) {
        if (window.endsWith(canary.slice(0, length))) return length;
      }
      return 0;
    },
  };
}
