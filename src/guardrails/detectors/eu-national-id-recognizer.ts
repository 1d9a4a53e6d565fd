import { codeAt, isAsciiAlphanumeric, isAsciiUpper, isWordCharacter, nextDigit } from "./characters.js";
import { forEachDigitRun, groupDigits } from "./digit-groups.js";
import {
  isValidCodiceFiscale, isValidDutchBsn, isValidFrenchNir, isValidGermanTaxId, isValidPolishPesel, isValidSpanishDniOrNie,
} from "./eu-national-id-checks.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection } from "./types.js";

/** How far before a bare-digit identifier its context word may be. */
const contextWindow = 48;

/**
 * Bare digit identifiers whose check digit passes for about one random number in ten are only reported next to a
 * word that names them; the identifiers with letters or a mod-97 key stand on their own.
 */
const contextWords = {
  nl_bsn: ["bsn", "burgerservicenummer", "sofinummer", "sofi-nummer", "citizen service number", "persoonsnummer"],
  de_tax_id: ["steuer", "identifikationsnummer", "idnr", "tax id", "tax identification", "tin"],
  pl_pesel: ["pesel"],
} as const;

type ContextualIdentifier = keyof typeof contextWords;

function hasContext(text: string, start: number, identifier: ContextualIdentifier): boolean {
  const window = text.slice(Math.max(0, start - contextWindow), start).toLowerCase();
  return contextWords[identifier].some((word) => window.includes(word));
}

/**
 * Common EU national identifiers with their check characters: ES DNI/NIE (mod-23 letter), IT codice fiscale
 * (check letter), FR NIR (mod-97 key), and — next to a naming word — NL BSN (11-proof), DE Steuer-ID
 * (ISO 7064 MOD 11,10) and PL PESEL (weighted check digit and birth date).
 */
export function createEuNationalIdRecognizer(): Recognizer {
  return {
    detector: "eu_national_id",
    entityTypes: ["EU_NATIONAL_ID"],
    maxLength: 21,
    contextLength: contextWindow,
    find(text: string, detections: Detection[]): void {
      const push = (detector: string, start: number, end: number, score: number) =>
        detections.push({ entityType: "EU_NATIONAL_ID", detector, start, end, score });
      findCompactTokens(text, push);
      forEachDigitRun(text, " .", (run) => {
        if (run.groups.length < 3) return;
        const sizes = run.groups.map((group) => group.end - group.start).join(",");
        const digits = groupDigits(text, run.groups, 0, run.groups.length);
        if (sizes === "1,2,2,2,3,3,2" && isValidFrenchNir(digits)) push("fr_nir", run.start, run.end, 0.9);
        else if (sizes === "2,3,3,3" && isValidGermanTaxId(digits) && hasContext(text, run.start, "de_tax_id")) push("de_tax_id", run.start, run.end, 0.85);
        else if (sizes === "4,2,3" && isValidDutchBsn(digits) && hasContext(text, run.start, "nl_bsn")) push("nl_bsn", run.start, run.end, 0.85);
      });
    },
  };
}

/**
 * Maximal ASCII letter-and-digit tokens that contain a digit and are not glued to other word characters, found from
 * each digit outwards; tokens longer than any identifier here are skipped whole.
 */
function findCompactTokens(text: string, push: (detector: string, start: number, end: number, score: number) => void): void {
  const longestToken = 16;
  let index = 0;
  for (;;) {
    index = nextDigit(text, index);
    if (index === -1) return;
    let start = index;
    while (start > 0 && index - start <= longestToken && isAsciiAlphanumeric(text.charCodeAt(start - 1))) start -= 1;
    let end = index;
    while (end < text.length && end - start <= longestToken && isAsciiAlphanumeric(text.charCodeAt(end))) end += 1;
    index = end;
    while (index < text.length && isWordCharacter(text.charCodeAt(index))) index += 1;
    const glued = (start > 0 && isWordCharacter(text.charCodeAt(start - 1))) || (end < text.length && isWordCharacter(text.charCodeAt(end)));
    if (glued || end - start > longestToken) continue;
    const token = text.slice(start, end);
    switch (token.length) {
      case 8: {
        // "12345678-Z" / "X1234567 L": the control letter after one dash or space.
        const letterAt = end + 1;
        const separator = text[end];
        if ((separator === "-" || separator === " ") && isAsciiUpper(text.charCodeAt(letterAt)) && !isWordCharacter(codeAt(text, letterAt + 1))) {
          if (isValidSpanishDniOrNie(token + text[letterAt]!)) push("es_dni", start, letterAt + 1, 0.9);
        }
        break;
      }
      case 9:
        if (isValidSpanishDniOrNie(token)) push("es_dni", start, end, 0.9);
        else if (isValidDutchBsn(token) && hasContext(text, start, "nl_bsn")) push("nl_bsn", start, end, 0.85);
        break;
      case 11:
        if (isValidGermanTaxId(token) && hasContext(text, start, "de_tax_id")) push("de_tax_id", start, end, 0.85);
        else if (isValidPolishPesel(token) && hasContext(text, start, "pl_pesel")) push("pl_pesel", start, end, 0.85);
        break;
      case 15:
        if (isValidFrenchNir(token)) push("fr_nir", start, end, 0.9);
        break;
      case 16:
        if (isValidCodiceFiscale(token)) push("it_codice_fiscale", start, end, 0.95);
        break;
      default:
        break;
    }
  }
}
