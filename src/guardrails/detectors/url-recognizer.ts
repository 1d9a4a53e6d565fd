import { codeAt, isAsciiAlphanumeric, isAsciiLetter, isDigit, isWordCharacter } from "./characters.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection } from "./types.js";

/** Longer URLs are reported as their first 512 characters (scheme, host and most of the path). */
const maximumUrlLength = 512;
const maximumDomainLength = 253;
const schemes = new Set(["http", "https", "ftp", "ftps", "sftp", "ws", "wss"]);

/**
 * Top-level domains accepted for bare domains ("example.com", no scheme). Country codes that are also common file
 * extensions (md, rs, py, sh, pl, cc, mk, ps, so, pm) are left out: "README.md" is not a domain. With a scheme or
 * "www." any domain counts.
 */
const bareDomainTopLevels = new Set([
  "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "io", "co", "ai", "app", "dev", "me", "tv", "xyz", "online", "site",
  "tech", "store", "cloud", "shop", "blog", "news", "club", "top", "live", "page", "eu", "us", "uk", "de", "fr", "es", "nl", "be", "ch",
  "at", "se", "no", "dk", "fi", "pt", "br", "au", "ca", "jp", "cn", "ru", "in", "ie", "nz", "za", "mx", "ar", "cz", "gr", "hu", "ro",
  "sk", "si", "hr", "bg", "lt", "lv", "ee", "cy", "lu", "is", "tr", "il", "kr", "tw", "hk", "sg", "my", "th", "vn", "id", "ph", "cl",
  "pe", "ua", "it", "ly", "gg", "fm",
]);

function isUrlCharacter(code: number): boolean {
  if (code < 128) return isAsciiAlphanumeric(code) || "-._~:/?#[]@!$&'()*+,;=%".includes(String.fromCharCode(code));
  return isWordCharacter(code);
}

function isDomainCharacter(code: number): boolean {
  return isAsciiAlphanumeric(code) || code === 45 || code === 46;
}

/** Trims trailing punctuation that ends a sentence rather than the URL, and closing brackets without their opening ones. */
function trimUrlEnd(text: string, start: number, end: number): number {
  let unmatchedParentheses = 0;
  let unmatchedBrackets = 0;
  for (let index = start; index < end; index += 1) {
    const character = text[index];
    if (character === "(") unmatchedParentheses -= 1;
    else if (character === ")") unmatchedParentheses += 1;
    else if (character === "[") unmatchedBrackets -= 1;
    else if (character === "]") unmatchedBrackets += 1;
  }
  let trimmed = end;
  while (trimmed > start) {
    const last = text[trimmed - 1]!;
    if (".,;:!?'\"*".includes(last)) trimmed -= 1;
    else if (last === ")" && unmatchedParentheses > 0) {
      unmatchedParentheses -= 1;
      trimmed -= 1;
    } else if (last === "]" && unmatchedBrackets > 0) {
      unmatchedBrackets -= 1;
      trimmed -= 1;
    } else break;
  }
  return trimmed;
}

/** Reads URL characters from index (bounded by the longest URL) and trims the end. */
function readUrlTail(text: string, start: number, index: number): number {
  let end = index;
  while (end < text.length && end - start < maximumUrlLength && isUrlCharacter(text.charCodeAt(end))) end += 1;
  return trimUrlEnd(text, start, end);
}

function findSchemeUrls(text: string, detections: Detection[]): void {
  let separator = text.indexOf("://");
  while (separator !== -1) {
    let start = separator;
    while (start > 0 && separator - start < 6 && isAsciiLetter(text.charCodeAt(start - 1))) start -= 1;
    const scheme = text.slice(start, separator).toLowerCase();
    if (schemes.has(scheme) && !isWordCharacter(codeAt(text, start - 1)) && isUrlCharacter(codeAt(text, separator + 3))) {
      const end = readUrlTail(text, start, separator + 3);
      if (end > separator + 3) detections.push({ entityType: "URL", detector: "url", start, end, score: 0.9 });
      separator = text.indexOf("://", Math.max(end, separator + 3));
    } else {
      separator = text.indexOf("://", separator + 3);
    }
  }
}

/**
 * Bare domains ("www.example.org", "shop.example.com.br/cart"): from each '.', the surrounding run of letters, digits,
 * '-' and '.' is read once (runs are disjoint, so each character is read at most twice) and the search continues
 * after it; runs longer than a domain name can be are skipped.
 */
function findBareDomains(text: string, detections: Detection[]): void {
  let runEnd = 0;
  for (let dot = text.indexOf("."); dot !== -1; dot = text.indexOf(".", Math.max(runEnd, dot + 1))) {
    let start = dot;
    while (start > runEnd && isDomainCharacter(text.charCodeAt(start - 1))) start -= 1;
    let index = dot;
    while (index < text.length && isDomainCharacter(text.charCodeAt(index))) index += 1;
    runEnd = index;
    if (index - start > maximumDomainLength) continue;
    while (start < index && (text.charCodeAt(start) === 46 || text.charCodeAt(start) === 45)) start += 1;
    let end = index;
    while (end > start && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end -= 1;
    const previous = codeAt(text, start - 1);
    const glued = isWordCharacter(previous) || previous === 64 || previous === 47 || previous === 46 || isWordCharacter(codeAt(text, index)) || text[index] === "@";
    if (glued || end <= start) continue;
    const urlEnd = bareDomainEnd(text, start, end);
    if (urlEnd !== undefined) {
      detections.push({ entityType: "URL", detector: "url", start, end: urlEnd, score: text.slice(start, start + 4).toLowerCase() === "www." ? 0.85 : 0.6 });
      runEnd = Math.max(runEnd, urlEnd);
    }
  }
}

/** The end of the domain (with its path, if one follows) when [start, end) is a domain worth reporting. */
function bareDomainEnd(text: string, start: number, end: number): number | undefined {
  const labels = text.slice(start, end).split(".");
  if (labels.length < 2) return undefined;
  const topLevel = labels[labels.length - 1]!.toLowerCase();
  const www = labels[0]!.toLowerCase() === "www";
  const wellFormed = labels.every((label) => label.length >= 1 && label.length <= 63 && !label.startsWith("-") && !label.endsWith("-"));
  const lettered = !isDigit(topLevel.charCodeAt(0)) && [...labels[labels.length - 2]!].some((character) => isAsciiLetter(character.charCodeAt(0)));
  if (!wellFormed || !lettered || !(bareDomainTopLevels.has(topLevel) || (www && labels.length >= 3 && topLevel.length >= 2))) return undefined;
  return text[end] === "/" ? readUrlTail(text, start, end) : end;
}

/** URLs with a web scheme, and bare domains with a well-known top-level domain or "www.". */
export function createUrlRecognizer(): Recognizer {
  return {
    detector: "url",
    entityTypes: ["URL"],
    maxLength: maximumUrlLength,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      findSchemeUrls(text, detections);
      findBareDomains(text, detections);
    },
  };
}
