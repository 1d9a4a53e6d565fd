import { injectionRules } from "./injection-rules.js";
import { decodeTagCharacters, normalizeUntrustedText } from "./normalize-untrusted-text.js";
import type { InjectionFinding } from "./types.js";

export { normalizeUntrustedText } from "./normalize-untrusted-text.js";

const minimumHiddenText = 4;

/**
 * Instruction-like content in untrusted text (retrieved passages, tool outputs). Offsets refer to
 * normalizeUntrustedText(text); normalisation is idempotent, so passing normalised text gives offsets into it.
 * Findings are sorted by start; overlapping hits of different rules are all reported.
 */
export function detectInjection(text: string): InjectionFinding[] {
  const normalized = normalizeUntrustedText(text);
  const findings: InjectionFinding[] = [];
  for (const rule of injectionRules) {
    rule.pattern.lastIndex = 0;
    for (const match of normalized.matchAll(rule.pattern)) {
      if (rule.accept !== undefined && !rule.accept(match[0])) continue;
      let start = match.index;
      if (normalized[start] === "\n") start += 1;
      const end = match.index + match[0].length;
      if (end > start) findings.push({ rule: rule.id, start, end, score: rule.score });
    }
  }
  // Text hidden in Unicode tag characters is itself an attack on the reader; it is gone from the normalised text,
  // so the finding covers the whole of it.
  if (decodeTagCharacters(text).replace(/[\s\u007f]/g, "").length >= minimumHiddenText && normalized.length > 0) {
    findings.push({ rule: "hidden-tag-characters", start: 0, end: normalized.length, score: 0.9 });
  }
  return findings.sort((a, b) => a.start - b.start || b.end - a.end);
}
