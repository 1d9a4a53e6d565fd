import { placeholderPattern, type PlaceholderVault } from "../masking/placeholder-vault.js";
import type { FoundSpan, RewriteRule } from "./rewrite-rule.js";

/**
 * Unmasking: each placeholder the vault issued becomes its value again (`escape` encodes the value, e.g. inside a JSON
 * string); placeholders it did not issue (the model's inventions) stay as they are. Holds back a tail that is the
 * start of an issued placeholder, never more than the longest one.
 */
export function placeholderRule(vault: PlaceholderVault, escape: (value: string) => string = (value) => value): RewriteRule {
  return {
    contextLength: 0,
    find(window) {
      if (vault.size === 0) return [];
      const spans: FoundSpan[] = [];
      for (const match of window.matchAll(placeholderPattern)) {
        const value = vault.valueOf(match[0]);
        if (value !== undefined) spans.push({ start: match.index, end: match.index + match[0].length, text: escape(value) });
      }
      return spans;
    },
    pendingLength(window) {
      const longest = vault.maxPlaceholderLength;
      if (longest === 0) return 0;
      for (let start = Math.max(0, window.length - longest + 1); start < window.length; start += 1) {
        if (window.charCodeAt(start) === 0x5b /* [ */ && vault.isPlaceholderPrefix(window.slice(start))) return window.length - start;
      }
      return 0;
    },
  };
}
