/** A `[start, end)` character range. */
export type TextRange = { start: number; end: number };

const sentenceEnd = /[.!?…。！？]["'”’)\]]*(?=\s)|\n/g;

/**
 * Sentence ranges of `text` (offsets relative to `text`), trimmed of surrounding whitespace. A sentence ends at
 * terminal punctuation followed by whitespace, or at a line break. Never loses a non-whitespace character.
 */
export function splitSentences(text: string): TextRange[] {
  const ranges: TextRange[] = [];
  let start = 0;
  for (const match of text.matchAll(sentenceEnd)) {
    const end = match.index + match[0].length;
    pushTrimmed(text, start, end, ranges);
    start = end;
  }
  pushTrimmed(text, start, text.length, ranges);
  return ranges;
}

/** Line ranges of `text`, trimmed, empty lines dropped. */
export function splitLines(text: string): TextRange[] {
  const ranges: TextRange[] = [];
  let start = 0;
  for (const match of text.matchAll(/\n/g)) {
    pushTrimmed(text, start, match.index, ranges);
    start = match.index + 1;
  }
  pushTrimmed(text, start, text.length, ranges);
  return ranges;
}

/** Word ranges (maximal runs of non-whitespace). */
export function splitWords(text: string): TextRange[] {
  return [...text.matchAll(/\S+/g)].map((match) => ({ start: match.index, end: match.index + match[0].length }));
}

function pushTrimmed(text: string, start: number, end: number, ranges: TextRange[]): void {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (end > start) ranges.push({ start, end });
}
