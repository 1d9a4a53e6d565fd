import { isDigit, isWordCharacter, nextDigit } from "./characters.js";

/** A maximal run of digit groups joined by single separator characters ("4111 1111-1111 1111" is one run of four groups). */
export type DigitRun = {
  /** [start, end) of each group of digits, in order. */
  groups: { start: number; end: number }[];
  start: number;
  end: number;
};

/**
 * Every maximal run of digit groups joined by exactly one separator from `separators`, with a first or last group glued
 * to a letter or underscore dropped. One left-to-right pass: each character is read a bounded number of times.
 */
export function forEachDigitRun(text: string, separators: string, onRun: (run: DigitRun) => void): void {
  let index = 0;
  const length = text.length;
  for (;;) {
    index = nextDigit(text, index);
    if (index === -1) return;
    const runStart = index;
    const groups: { start: number; end: number }[] = [];
    let groupStart = index;
    for (;;) {
      while (index < length && isDigit(text.charCodeAt(index))) index += 1;
      groups.push({ start: groupStart, end: index });
      if (index + 1 < length && separators.includes(text[index]!) && isDigit(text.charCodeAt(index + 1))) {
        index += 1;
        groupStart = index;
        continue;
      }
      break;
    }
    // A group glued to a letter or underscore is part of a word, not of the number: drop it, keep the rest.
    if (runStart > 0 && isWordCharacter(text.charCodeAt(runStart - 1))) groups.shift();
    if (index < length && isWordCharacter(text.charCodeAt(index))) groups.pop();
    if (groups.length > 0) onRun({ groups, start: groups[0]!.start, end: groups[groups.length - 1]!.end });
    // Skip the rest of a word the run was glued to.
    while (index < length && isWordCharacter(text.charCodeAt(index))) index += 1;
  }
}

/** The digits of groups[from, to) concatenated. */
export function groupDigits(text: string, groups: DigitRun["groups"], from: number, to: number): string {
  let digits = "";
  for (let index = from; index < to; index += 1) digits += text.slice(groups[index]!.start, groups[index]!.end);
  return digits;
}

/** Whether the separators between groups[from, to) are all the same character. */
export function separatorsAreUniform(text: string, groups: DigitRun["groups"], from: number, to: number): boolean {
  if (to - from < 3) return true;
  const first = text[groups[from]!.end];
  for (let index = from + 1; index < to - 1; index += 1) if (text[groups[index]!.end] !== first) return false;
  return true;
}
