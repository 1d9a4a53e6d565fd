import { isWordCharacter } from "./characters.js";

/** A capitalised word: an upper-case letter, then letters, marks, apostrophes or hyphens. */
export type CapitalizedWord = { start: number; end: number; lower: string };

/**
 * An upper-case letter followed by one character class: the native engine finds each word without backtracking
 * (the class is the only quantifier and nothing follows it).
 */
const capitalizedWordPattern = /\p{Lu}[\p{L}\p{M}'’-]*/gu;
const maximumWordLength = 40;
/** Lower-case words allowed between the words of a name or place ("Ludwig van Beethoven", "Rue de Tanger"). */
export const particles = new Set(["van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "bin", "ibn", "al", "dos", "das", "of", "y"]);
const honorificAbbreviations = new Set(["mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "mt", "no"]);

function isLetter(code: number): boolean {
  return code >= 0 && isWordCharacter(code) && !(code >= 48 && code <= 57) && code !== 95;
}

/** The word before position (skipping spaces and one period), lower-cased, or "". Reads at most 24 characters back. */
export function wordBefore(text: string, position: number): string {
  let end = position;
  while (end > 0 && position - end < 3 && (text[end - 1] === " " || text[end - 1] === "\u00a0")) end -= 1;
  if (text[end - 1] === ".") end -= 1;
  let start = end;
  while (start > 0 && end - start < 20 && (isLetter(text.charCodeAt(start - 1)) || text[start - 1] === "'" || text[start - 1] === "’")) start -= 1;
  return text.slice(start, end).toLowerCase();
}

/** Whether a word starts a sentence: nothing but spaces and quotes since the start, a line break, or . ! ? : > */
export function startsSentence(text: string, position: number): boolean {
  let index = position;
  while (index > 0 && position - index < 8 && " \t\"“'‘(*-•".includes(text[index - 1]!)) index -= 1;
  if (index === 0) return true;
  const previous = text[index - 1]!;
  if (previous === ".") {
    const word = wordBefore(text, index);
    return !(word.length === 1 || honorificAbbreviations.has(word));
  }
  return "!?\n\r:>;".includes(previous);
}

/** Capitalised words (all-capital words of two or more letters are left out), with a one-letter initial's period. */
export function findCapitalizedWords(text: string): CapitalizedWord[] {
  const words: CapitalizedWord[] = [];
  capitalizedWordPattern.lastIndex = 0;
  for (let match = capitalizedWordPattern.exec(text); match !== null; match = capitalizedWordPattern.exec(text)) {
    const start = match.index;
    let word = match[0];
    if (word.length > maximumWordLength || isLetter(text.charCodeAt(start - 1))) continue;
    let length = word.length;
    while (length > 1 && "'’-".includes(word[length - 1]!)) length -= 1;
    if (length > 2 && (word[length - 1] === "s" || word[length - 1] === "S") && (word[length - 2] === "'" || word[length - 2] === "’")) length -= 2;
    if (length !== word.length) word = word.slice(0, length);
    const lower = word.toLowerCase();
    // All capitals ("WHAT", "BASHALL"): only possible when the second letter is not lower case.
    const second = word.charCodeAt(1);
    if (length > 1 && !(second >= 97 && second <= 122) && word === word.toUpperCase()) continue;
    let end = start + length;
    if (length === 1 && text[end] === ".") end += 1;
    words.push({ start, end, lower });
  }
  return words;
}

/** Whether two capitalised words belong to one name: one space, or " particle " between them. */
export function wordsJoin(text: string, left: CapitalizedWord, right: CapitalizedWord): boolean {
  const gap = right.start - left.end;
  if (gap === 1) return text[left.end] === " " || text[left.end] === "\u00a0";
  if (gap < 3 || gap > 7 || text[left.end] !== " " || text[right.start - 1] !== " ") return false;
  return particles.has(text.slice(left.end + 1, right.start - 1));
}
