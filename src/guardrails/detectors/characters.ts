/**
 * Character classes over UTF-16 code units. Every detector walks the text with these instead of regular expressions,
 * so each scan is a single linear pass.
 */

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

export function isAsciiLower(code: number): boolean {
  return code >= 97 && code <= 122;
}

export function isAsciiLetter(code: number): boolean {
  return isAsciiUpper(code) || isAsciiLower(code);
}

export function isAsciiAlphanumeric(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code);
}

export function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/** A single code unit tested against a single-character class: linear by construction. */
const wordCharacter = /[\p{L}\p{N}\p{M}_]/u;

/** Letters, digits, marks and underscore, in any script; surrogate halves count as word characters (astral letters). */
export function isWordCharacter(code: number): boolean {
  if (code < 128) return isAsciiAlphanumeric(code) || code === 95;
  if (code >= 0xd800 && code <= 0xdfff) return true;
  return wordCharacter.test(String.fromCharCode(code));
}

/** The code unit at index, or -1 outside the text. */
export function codeAt(text: string, index: number): number {
  return index >= 0 && index < text.length ? text.charCodeAt(index) : -1;
}

export function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11 || code === 0xa0;
}

/**
 * Lower-cases code unit by code unit, keeping the length (and so every offset) unchanged: a unit whose lower case
 * is longer than one unit (İ) is kept as it is.
 */
export function lowerCaseKeepingOffsets(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let result = "";
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    const lowered = character.toLowerCase();
    result += lowered.length === 1 ? lowered : character;
  }
  return result;
}

/** Single-class global patterns used to jump to the next candidate with the native engine (no backtracking). */
const nextDigitPattern = /[0-9]/g;

/** Index of the next ASCII digit at or after from, or -1. */
export function nextDigit(text: string, from: number): number {
  nextDigitPattern.lastIndex = from;
  const match = nextDigitPattern.exec(text);
  return match === null ? -1 : match.index;
}
