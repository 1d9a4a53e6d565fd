import { parsePhoneNumberFromString } from "libphonenumber-js";
import { codeAt, isDigit, isWordCharacter } from "./characters.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection } from "./types.js";

const maximumDigits = 15; // E.164
const maximumGroups = 7;
const maximumCandidateLength = 40;
const currencySigns = new Set(["$", "€", "£", "¥", "₹"]);
/** Where a number can start: a single character class, so the native engine jumps there without backtracking. */
const phoneStartPattern = /[0-9+(]/g;
/** Words before a number that make it something other than a phone number. */
const otherNumberContext = ["licen", "passport", "invoice", "order", "serial", "ticket", "tracking", "ssn", "social security", "account no", "iban"];
const streetTypesAfter = new Set(["st", "st.", "street", "rd", "road", "ave", "avenue", "rue", "via", "calle", "suite", "apt", "apt."]);

type Candidate = { start: number; end: number; international: boolean; groupSizes: number[]; separators: string[]; digits: string; hasParentheses: boolean };

/**
 * Reads one phone-shaped candidate at `start`: an optional '+', digit groups (a group may be in parentheses) joined
 * by one of " -./" (or nothing after a closing parenthesis), and an optional extension (x123, ext. 123, #123).
 * Reads at most maximumCandidateLength characters: no backtracking.
 */
function readCandidate(text: string, start: number): Candidate | { end: number } {
  let index = start;
  const international = text[index] === "+";
  if (international) index += 1;
  const groupSizes: number[] = [];
  const separators: string[] = [];
  let digits = "";
  let hasParentheses = false;
  let lastGroupEnd = index;
  while (index < text.length && index - start < maximumCandidateLength) {
    const opening = text[index] === "(";
    let cursor = opening ? index + 1 : index;
    const groupStart = cursor;
    while (cursor < text.length && isDigit(text.charCodeAt(cursor))) cursor += 1;
    if (cursor === groupStart) break;
    if (opening) {
      if (text[cursor] !== ")") break;
      cursor += 1;
      hasParentheses = true;
    }
    groupSizes.push(cursor - groupStart - (opening ? 1 : 0));
    digits += text.slice(groupStart, opening ? cursor - 1 : cursor);
    index = cursor;
    lastGroupEnd = cursor;
    if (digits.length > maximumDigits || groupSizes.length > maximumGroups) return { end: skipNumberRun(text, index) };
    // Separator: one of " -./", or none after ')' or before '('.
    const next = text[index];
    if ((next === " " || next === "-" || next === "." || next === "/") && (isDigit(codeAt(text, index + 1)) || text[index + 1] === "(")) {
      separators.push(next);
      index += 1;
    } else if ((opening && isDigit(codeAt(text, index))) || next === "(") {
      separators.push("");
    } else {
      break;
    }
  }
  let end = lastGroupEnd;
  end = readExtension(text, end);
  if (groupSizes.length === 0) return { end: start + 1 };
  return { start, end, international, groupSizes, separators, digits, hasParentheses };
}

/** "x459", " x459", " ext. 12", "ext 12", "#12" after the number. */
function readExtension(text: string, end: number): number {
  let cursor = end;
  if (text[cursor] === " ") cursor += 1;
  const lower = text.slice(cursor, cursor + 4).toLowerCase();
  if (lower.startsWith("ext.")) cursor += 4;
  else if (lower.startsWith("ext")) cursor += 3;
  else if (lower.startsWith("x") || lower.startsWith("#")) cursor += 1;
  else return end;
  if (text[cursor] === " ") cursor += 1;
  const digitsStart = cursor;
  while (cursor < text.length && cursor - digitsStart < 6 && isDigit(text.charCodeAt(cursor))) cursor += 1;
  if (cursor === digitsStart || isWordCharacter(codeAt(text, cursor))) return end;
  return cursor;
}

/** The end of the run of digits and number punctuation at index, so a rejected long number is skipped whole. */
function skipNumberRun(text: string, index: number): number {
  let cursor = index;
  while (cursor < text.length && (isDigit(text.charCodeAt(cursor)) || " -./()".includes(text[cursor]!)) && (text[cursor] !== " " || isDigit(codeAt(text, cursor + 1)))) cursor += 1;
  return cursor;
}

/** yyyy-mm-dd or d/m/yyyy (m/d/yyyy, dd.mm.yyyy) in the first three groups, whatever follows (a time). */
function looksLikeDate(candidate: Candidate): boolean {
  const [first, second, third] = candidate.groupSizes;
  if (first === undefined || second === undefined || third === undefined) return false;
  const values: number[] = [];
  let offset = 0;
  for (const size of [first, second, third]) {
    values.push(Number(candidate.digits.slice(offset, offset + size)));
    offset += size;
  }
  const [a, b, c] = values as [number, number, number];
  if (first === 4 && second <= 2 && third <= 2) return a >= 1800 && a <= 2199 && b >= 1 && b <= 12 && c >= 1 && c <= 31;
  if (first <= 2 && second <= 2 && third === 4) return c >= 1800 && c <= 2199 && a >= 1 && a <= 31 && b >= 1 && b <= 31;
  return false;
}

function looksLikeThousands(candidate: Candidate): boolean {
  const [first, ...rest] = candidate.groupSizes;
  return candidate.separators.every((separator) => separator === ".") && first !== undefined && first <= 3 && rest.every((size) => size === 3);
}

/** A word before the number naming another kind of number, or a street type right after it (a house number). */
function hasOtherNumberContext(text: string, candidate: Candidate): boolean {
  const before = text.slice(Math.max(0, candidate.start - 32), candidate.start).toLowerCase();
  if (otherNumberContext.some((word) => before.includes(word))) return true;
  const after = text.slice(candidate.end, candidate.end + 10).trimStart().split(/[\s,]/, 1)[0]!.toLowerCase(); // one split on a class: linear
  return streetTypesAfter.has(after);
}

/** Scores a candidate, or undefined when it is not a phone number. */
function scoreCandidate(text: string, candidate: Candidate, validity: Map<string, number>): number | undefined {
  const { groupSizes, digits } = candidate;
  if (groupSizes.length === 4 && candidate.separators.every((separator) => separator === ".") && groupSizes.every((size) => size <= 3)) return undefined; // IPv4
  const before = text.slice(Math.max(0, candidate.start - 2), candidate.start);
  if ([...before].some((character) => currencySigns.has(character))) return undefined;
  if (candidate.international) {
    if (digits.length < 8) return undefined;
    const key = text.slice(candidate.start, candidate.end);
    let score = validity.get(key);
    if (score === undefined) {
      const parsed = parsePhoneNumberFromString(key);
      score = parsed === undefined || !parsed.isPossible() ? 0 : parsed.isValid() ? 0.95 : 0.75;
      if (validity.size > 4096) validity.clear();
      validity.set(key, score);
    }
    return score > 0 ? score : undefined;
  }
  // National formats: at least two groups, later groups of two or more digits, 7–13 digits.
  if (groupSizes.length < 2 || digits.length < 7 || digits.length > 13) return undefined;
  if (groupSizes[0]! > 5 || groupSizes.slice(1).some((size) => size < 2)) return undefined;
  if (looksLikeDate(candidate) || looksLikeThousands(candidate)) return undefined;
  // Two groups: a short first group needs eight digits, and the last group at least three ("43 73313" and
  // "70248 31" are more often house numbers and postcodes).
  if (groupSizes.length === 2 && ((groupSizes[0]! < 3 && digits.length < 8) || groupSizes[1]! < 3)) return undefined;
  if (hasOtherNumberContext(text, candidate)) return undefined;
  if (digits.length === 10 && /^[2-9][0-9]{2}[2-9]/.test(digits)) return 0.8; // NANP area code and exchange; fixed-length prefix: linear
  return 0.6;
}

/**
 * Phone numbers. International numbers ('+' and a country code) are validated with libphonenumber-js (possible
 * length for the country; valid numbers score higher). National numbers are recognised by their printed layout —
 * two or more digit groups with separators, 7–13 digits, not a date, an IPv4 address, an amount or a thousands-grouped
 * number — because national formats vary too much for one default region (e.g. "416 60 039", "(72) 754-186",
 * "259.735.7502x459"). Bare digit strings without '+' are not reported.
 */
export function createPhoneRecognizer(): Recognizer {
  const validity = new Map<string, number>();
  return {
    detector: "phone",
    entityTypes: ["PHONE_NUMBER"],
    maxLength: maximumCandidateLength + 12,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      let index = 0;
      for (;;) {
        phoneStartPattern.lastIndex = index;
        const next = phoneStartPattern.exec(text);
        if (next === null) return;
        index = next.index;
        const code = text.charCodeAt(index);
        const startsNumber = isDigit(code) || ((code === 43 || code === 40) && isDigit(codeAt(text, index + 1)));
        const previous = codeAt(text, index - 1);
        if (!startsNumber || isWordCharacter(previous) || previous === 43 || (isDigit(codeAt(text, index - 2)) && "-./".includes(text[index - 1] ?? ""))) {
          index += 1;
          continue;
        }
        const candidate = readCandidate(text, index);
        if ("start" in candidate && !isWordCharacter(codeAt(text, candidate.end))) {
          const score = scoreCandidate(text, candidate, validity);
          if (score !== undefined) detections.push({ entityType: "PHONE_NUMBER", detector: "phone", start: candidate.start, end: candidate.end, score });
        }
        index = Math.max(index + 1, candidate.end);
      }
    },
  };
}
