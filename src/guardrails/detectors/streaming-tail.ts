import { particles } from "./capitalized-words.js";
import { isAsciiUpper, isDigit, isWhitespace, lowerCaseKeepingOffsets } from "./characters.js";
import { maximumPrivateKeyLength } from "./private-key.js";
import { secretRules } from "./secret-rules.js";
import type { EntityType } from "./types.js";

/**
 * How many characters at the end of a text that has not ended yet could still be part of a detection once more text
 * arrives (streamed output: that tail is held back; everything before it is final). Each function over-approximates
 * for its detectors (what a value of theirs could start with and contain), bounded by `limit` (the detector's longest
 * detection less one): an entity that cannot contain whitespace is held from its last whitespace on, a structured
 * identifier from where its digits, capitals and separators begin, a name from where its run of capitalised words
 * begins, a private key from its open BEGIN line.
 */
export type StreamingTail = (text: string, limit: number) => number;

/** E-mails, URLs, IP addresses, tokens: no whitespace inside, so everything from the last whitespace on. */
export const nonWhitespaceTail: StreamingTail = (text, limit) => {
  let start = text.length;
  while (start > 0 && text.length - start < limit && !isWhitespace(text.charCodeAt(start - 1))) start -= 1;
  return text.length - start;
};

/** Separators inside phone numbers, card numbers, IBANs and national IDs. */
function isStructuredSeparator(code: number): boolean {
  return code === 0x20 || code === 0xa0 || code === 0x2d || code === 0x2e || code === 0x2f || code === 0x28 || code === 0x29 || code === 0x2b || code === 0x2013;
}

/** Words that continue a phone number (`ext. 12`, `x12`). */
const extensionWords = new Set(["ext", "x", "extension", "tel"]);

/** Whether a word can be part of a structured identifier: it has a digit, is in capitals (`DE89`, `RSSMRA…`), or is an extension word. */
function isStructuredWord(word: string): boolean {
  let digit = false;
  let lower = false;
  for (let index = 0; index < word.length; index += 1) {
    const code = word.charCodeAt(index);
    if (isDigit(code)) digit = true;
    else if (!isAsciiUpper(code)) lower = true;
  }
  return digit || !lower || extensionWords.has(word.toLowerCase());
}

/** Cuts the text before `end` into its last word (letters and digits) or its last run of other characters, not before `floor`. */
function lastToken(text: string, end: number, floor: number, isWordCode: (code: number) => boolean): number {
  let start = end;
  const word = isWordCode(text.charCodeAt(end - 1));
  while (start > floor && isWordCode(text.charCodeAt(start - 1)) === word) start -= 1;
  return start;
}

function isLetterOrDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7);
}

/**
 * Phone and card numbers, IBANs, SSNs, national IDs: from where the trailing run of structured words (with a digit, in
 * capitals, or an extension word) and short separators begins; a leading separator other than `+` and `(` is dropped.
 */
export const structuredTail: StreamingTail = (text, limit) => {
  let start = text.length;
  let end = text.length;
  const floor = Math.max(0, text.length - limit - 1);
  while (end > floor) {
    const tokenStart = lastToken(text, end, floor, isLetterOrDigit);
    const token = text.slice(tokenStart, end);
    if (isLetterOrDigit(text.charCodeAt(end - 1))) {
      if (!isStructuredWord(token)) break;
      start = tokenStart;
    } else {
      let separators = true;
      for (let index = 0; index < token.length; index += 1) separators &&= isStructuredSeparator(token.charCodeAt(index));
      if (!separators || token.length > 3) break;
    }
    end = tokenStart;
  }
  // `+` or `(` right before the run starts a phone number.
  while (start > 0 && text.length - start < limit && (text[start - 1] === "+" || text[start - 1] === "(")) start -= 1;
  return Math.min(limit, text.length - start);
};

/** Lower-case words inside names and addresses ("van", "de", "of"); at the very end, the start of one ("o"). */
function isParticle(word: string, atEnd: boolean): boolean {
  if (particles.has(word)) return true;
  if (!atEnd) return false;
  for (const particle of particles) if (particle.startsWith(word)) return true;
  return false;
}

function startsUpperOrDigit(word: string): boolean {
  const first = word.charAt(0);
  return isDigit(first.charCodeAt(0)) || (first !== first.toLowerCase() && first === first.toUpperCase());
}

function isNameCharacter(code: number): boolean {
  return isLetterOrDigit(code) || code === 0x27 || code === 0x2019 || code === 0x2d || code === 0x2e || code > 0x24f;
}

/**
 * People, places, organisations, street addresses: from where the trailing run of capitalised words (and house
 * numbers, and particles between them) begins, separated by single spaces or a comma; particles at its start are dropped.
 */
export const nameTail: StreamingTail = (text, limit) => {
  let start = text.length;
  let end = text.length;
  const floor = Math.max(0, text.length - limit - 1);
  while (end > floor) {
    const tokenStart = lastToken(text, end, floor, isNameCharacter);
    const token = text.slice(tokenStart, end);
    if (isNameCharacter(text.charCodeAt(end - 1))) {
      if (startsUpperOrDigit(token)) start = tokenStart;
      else if (!isParticle(token, end === text.length)) break;
    } else if (token !== " " && token !== ", " && token !== "\u00a0") {
      break;
    }
    end = tokenStart;
  }
  return Math.min(limit, text.length - start);
};

/** Tokens and private keys: no whitespace inside a token; a PEM block from its BEGIN line until its END line. */
export const secretTail: StreamingTail = (text, limit) => {
  const token = nonWhitespaceTail(text, Math.min(limit, longestTokenSecret));
  const from = Math.max(0, text.length - maximumPrivateKeyLength);
  const dashes = text.lastIndexOf("-----");
  if (dashes < from) return token;
  const lower = lowerCaseKeepingOffsets(text.slice(from));
  const begin = lower.lastIndexOf("-----begin");
  if (begin === -1 || isClosed(lower, begin)) return Math.min(limit, Math.max(token, dashesTail(text)));
  return Math.min(limit, Math.max(token, lower.length - begin));
};

/** Whether the PEM block opened at `begin` has its whole END line (`-----END … PRIVATE KEY-----`) after it. */
function isClosed(lower: string, begin: number): boolean {
  const footer = lower.indexOf("-----end", begin);
  if (footer === -1) return false;
  const line = lower.slice(footer + 8, footer + 80);
  const key = line.indexOf("key");
  return key !== -1 && line.startsWith("-----", key + 3 + (line.startsWith(" block", key + 3) ? 6 : 0));
}

/** The longest token the secret rules match (their `maxLength`). */
const longestTokenSecret = Math.max(...secretRules.map((rule) => rule.maxLength));

/** A BEGIN line being written ("-----BEGIN RSA PRI"): from its dashes on. */
function dashesTail(text: string): number {
  const dashes = text.lastIndexOf("-----");
  if (dashes === -1 || text.length - dashes > 80) return 0;
  const line = text.slice(dashes).toLowerCase();
  if (line.includes("\n")) return 0;
  return line.startsWith("-----begin") || "-----begin".startsWith(line) ? text.length - dashes : 0;
}

/** The streaming tail of the built-in detectors of an entity type. */
export function streamingTailOf(entityType: EntityType): StreamingTail {
  switch (entityType) {
    case "EMAIL_ADDRESS":
    case "URL":
    case "IP_ADDRESS":
      return nonWhitespaceTail;
    case "SECRET":
      return secretTail;
    case "PHONE_NUMBER":
    case "CREDIT_CARD":
    case "IBAN_CODE":
    case "US_SSN":
    case "CN_RESIDENT_ID":
    case "EU_NATIONAL_ID":
      return structuredTail;
    case "PERSON":
    case "LOCATION":
    case "ORGANIZATION":
      return nameTail;
    default:
      return entityType satisfies never;
  }
}
