/** A part of a text to replace: half-open UTF-16 offsets. */
export type Replacement = { start: number; end: number; text: string };

/** `text` with non-overlapping `replacements` applied (in any order; a replacement overlapping an earlier one is skipped). */
export function replaceSpans(text: string, replacements: readonly Replacement[]): string {
  if (replacements.length === 0) return text;
  const sorted = [...replacements].sort((left, right) => left.start - right.start || right.end - left.end);
  let result = "";
  let position = 0;
  for (const replacement of sorted) {
    if (replacement.start < position) continue;
    result += text.slice(position, replacement.start) + replacement.text;
    position = replacement.end;
  }
  return result + text.slice(position);
}
