import validator from "validator";
import { isAsciiAlphanumeric, isWhitespace, isWordCharacter } from "./characters.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection } from "./types.js";

const maxLocalPart = 64;
const maxDomain = 253;

function isLocalPartCharacter(code: number): boolean {
  if (code < 128) return isAsciiAlphanumeric(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45;
  return isWordCharacter(code);
}

function isDomainCharacter(code: number): boolean {
  if (code < 128) return isAsciiAlphanumeric(code) || code === 46 || code === 45;
  return isWordCharacter(code);
}

/** Whether "://user" ends at position (user: up to 128 characters without whitespace, '/', '@' or ':'). */
function followsSchemeSeparator(text: string, position: number): boolean {
  let index = position;
  while (index > 0 && position - index < 128 && !isWhitespace(text.charCodeAt(index - 1)) && !"/@:".includes(text[index - 1]!)) index -= 1;
  return text.slice(index - 3, index) === "://";
}

/**
 * E-mail addresses: from each '@', the local part and the domain are read outwards with character classes
 * (bounded by the RFC 5321 lengths), then the candidate is validated with validator's isEmail (TLD required).
 * Each character is visited by at most the '@' on either side of it.
 */
export function createEmailRecognizer(): Recognizer {
  return {
    detector: "email",
    entityTypes: ["EMAIL_ADDRESS"],
    maxLength: maxLocalPart + 1 + maxDomain,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      let at = text.indexOf("@");
      while (at !== -1) {
        let start = at;
        while (start > 0 && at - start < maxLocalPart && isLocalPartCharacter(text.charCodeAt(start - 1))) start -= 1;
        const localPartTooLong = start > 0 && isLocalPartCharacter(text.charCodeAt(start - 1));
        while (start < at && text.charCodeAt(start) === 46) start += 1;
        let end = at + 1;
        while (end < text.length && end - at <= maxDomain && isDomainCharacter(text.charCodeAt(end))) end += 1;
        while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end -= 1;
        // "scheme://user:password@host" is a URL's credentials, not an address (the secret detector reports the password).
        const urlCredentials = text[start - 1] === ":" && followsSchemeSeparator(text, start - 1);
        if (!localPartTooLong && !urlCredentials && start < at && end > at + 1) {
          const candidate = text.slice(start, end);
          if (validator.isEmail(candidate, { allow_utf8_local_part: true, require_tld: true })) {
            detections.push({ entityType: "EMAIL_ADDRESS", detector: "email", start, end, score: 1 });
          }
        }
        at = text.indexOf("@", at + 1);
      }
    },
  };
}
