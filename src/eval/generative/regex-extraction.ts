/** lm-eval `RegexFilter` fallback. */
export const invalidAnswer = "[invalid]";

/**
 * lm-eval `RegexFilter.apply` on one response: `re.findall`, then the match at `groupSelect` (negative
 * counts from the end); a multi-group match takes its first non-empty group; the result is stripped.
 * No match (or an empty tuple) gives `[invalid]`. `captureGroup` instead takes that capture group of the match
 * (0 = the whole match; a group that did not participate gives `[invalid]`).
 */
export function extractWithRegex(response: string, pattern: string | RegExp, groupSelect = 0, captureGroup?: number): string {
  const regex = new RegExp(typeof pattern === "string" ? pattern : pattern.source, "g");
  const matches = [...response.matchAll(regex)];
  if (matches.length === 0) return invalidAnswer;
  const match = matches.at(groupSelect);
  if (!match) return invalidAnswer;
  if (captureGroup !== undefined) {
    const captured = match[captureGroup];
    return captured === undefined ? invalidAnswer : captured.trim();
  }
  const groups = match.slice(1);
  let selected: string;
  if (groups.length === 0) selected = match[0];
  else if (groups.length === 1) selected = groups[0] ?? "";
  else {
    const nonEmpty = groups.filter((group): group is string => group !== undefined && group !== "");
    if (nonEmpty.length === 0) return invalidAnswer;
    selected = nonEmpty[0]!;
  }
  return selected.trim();
}

/** GSM8K `strict-match`: the number after `#### `, first match. */
export const gsm8kStrictPattern = "#### (\\-?[0-9\\.\\,]+)";
/** GSM8K `flexible-extract`: the last number-like token. */
export const gsm8kFlexiblePattern = "(-?[$0-9.,]{2,})|(-?[0-9]+)";

export function gsm8kStrictMatch(response: string): string {
  return extractWithRegex(response, gsm8kStrictPattern, 0);
}

export function gsm8kFlexibleExtract(response: string): string {
  return extractWithRegex(response, gsm8kFlexiblePattern, -1);
}
