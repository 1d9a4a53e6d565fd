import { codeAt, isDigit, isWordCharacter } from "./characters.js";

import { wordsJoin, type CapitalizedWord } from "./capitalized-words.js";

/** Street types written after the name ("Baker Street", "5th Ave"). */
const trailingStreetTypes = new Set([
  "street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "boulevard", "blvd", "way", "court", "ct", "place", "pl", "square",
  "sq", "terrace", "crescent", "close", "highway", "hwy", "parkway", "pkwy", "circle", "cir", "trail", "row", "alley", "loop", "gardens",
]);
/** Street types written before the name ("Rue de Tanger", "Via Roma", "Calle Mayor"). */
const leadingStreetTypes = new Set([
  "rue", "via", "viale", "calle", "avenida", "av", "rua", "piazza", "plaza", "praça", "carrer", "ulica", "ul", "chemin", "allée", "corso",
  "largo", "travessa", "paseo", "strada", "calea", "avinguda", "camino", "cours", "quai", "place",
]);
/** Street-name endings in one word ("Strickstrasse", "Søndergade", "Koskikatu", "Kerkstraat"). */
const streetSuffixes = [
  "strasse", "straße", "gasse", "weg", "allee", "platz", "ring", "damm", "ufer", "vej", "gade", "gaden", "gatan", "gata", "vägen", "veien",
  "vei", "katu", "tie", "kuja", "straat", "laan", "gracht", "utca", "iela", "gatve", "ulice", "street", "road",
];
/** The last three letters of every street suffix: a quick test before the suffix list. */
const streetSuffixTails = new Set(streetSuffixes.map((suffix) => suffix.slice(-3)));
const unitWords = new Set(["apt", "apartment", "suite", "ste", "unit", "flat", "floor", "fl", "room", "no"]);

/** Start of "123 " (a house number, optionally with one letter) right before position, else position. */
function numberBefore(text: string, position: number): number {
  if (text[position - 1] !== " ") return position;
  let cursor = position - 1;
  if (cursor > 0 && /[A-Za-z]/.test(text[cursor - 1]!) && isDigit(text.charCodeAt(cursor - 2))) cursor -= 1; // one character: linear
  const digitsEnd = cursor;
  while (cursor > 0 && digitsEnd - cursor < 6 && isDigit(text.charCodeAt(cursor - 1))) cursor -= 1;
  if (cursor === digitsEnd || (cursor > 0 && isWordCharacter(text.charCodeAt(cursor - 1)))) return position;
  return cursor;
}

/** End of " 123" (optionally "12a", "12-14") right after position, else position. */
function numberAfter(text: string, position: number): number {
  let cursor = position;
  if (text[cursor] === "." ) cursor += 1;
  if (text[cursor] !== " ") return position;
  cursor += 1;
  const digitsStart = cursor;
  while (cursor < text.length && cursor - digitsStart < 6 && (isDigit(text.charCodeAt(cursor)) || (cursor > digitsStart && text[cursor] === "-" && isDigit(text.charCodeAt(cursor + 1))))) cursor += 1;
  if (cursor === digitsStart) return position;
  if (/[A-Za-z]/.test(text[cursor] ?? "") && !isWordCharacter(codeAt(text, cursor + 1))) cursor += 1;
  if (cursor < text.length && isWordCharacter(text.charCodeAt(cursor))) return position;
  return cursor;
}

/**
 * Street addresses and unit designators as a baseline: a street type after capitalised words ("221 Baker Street"),
 * before them ("29 Rue de Tanger"), a one-word street name with a common ending and a number ("Strickstrasse 61"),
 * or "Apt. 864" / "Suite 399". Each token is looked at a bounded number of times.
 */
export function findStreetAddresses(text: string, tokens: readonly CapitalizedWord[], onAddress: (start: number, end: number) => void): void {
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (unitWords.has(token.lower)) {
      const end = numberAfter(text, token.end);
      if (end > token.end) onAddress(token.start, end);
      continue;
    }
    if (trailingStreetTypes.has(token.lower) && index > 0) {
      let first = index;
      while (first > 0 && index - first < 3 && wordsJoin(text, tokens[first - 1]!, tokens[first]!)) first -= 1;
      const start = numberBefore(text, tokens[first]!.start);
      const end = numberAfter(text, token.end);
      if (first < index && (start < tokens[first]!.start || end > token.end)) onAddress(start, end);
      continue;
    }
    if (leadingStreetTypes.has(token.lower)) {
      let last = index;
      while (last + 1 < tokens.length && last - index < 4 && wordsJoin(text, tokens[last]!, tokens[last + 1]!)) last += 1;
      if (last === index) continue;
      const start = numberBefore(text, token.start);
      const end = numberAfter(text, tokens[last]!.end);
      onAddress(start, end);
      index = last;
      continue;
    }
    if (token.lower.length >= 5 && streetSuffixTails.has(token.lower.slice(-3)) && streetSuffixes.some((suffix) => token.lower.endsWith(suffix))) {
      const start = numberBefore(text, token.start);
      const end = numberAfter(text, token.end);
      if (start < token.start || end > token.end) onAddress(start, end);
    }
  }
}
