import { getCountrySpecifications, isValidIBAN } from "ibantools";
import { isAsciiAlphanumeric, isWordCharacter } from "./characters.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection } from "./types.js";

const ibanLengths = new Map<string, number>();
for (const [country, specification] of Object.entries(getCountrySpecifications())) {
  if (typeof specification.chars === "number") ibanLengths.set(country, specification.chars);
}
const longestIban = Math.max(...ibanLengths.values());
/** Country code and check digits: fixed length, so the native engine finds each start without backtracking. */
const ibanStartPattern = /[A-Z]{2}[0-9]{2}/g;

/**
 * IBANs, electronic ("GB56HXDO88167774656119") or printed in groups ("GB56 HXDO 8816 …", single spaces):
 * a known country code and its IBAN length (ibantools' registry), then mod-97 and the country's BBAN format
 * through ibantools.isValidIBAN. Candidates start only at word starts and read at most twice the longest IBAN.
 */
export function createIbanRecognizer(): Recognizer {
  return {
    detector: "iban",
    entityTypes: ["IBAN_CODE"],
    maxLength: longestIban * 2,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      ibanStartPattern.lastIndex = 0;
      for (let next = ibanStartPattern.exec(text); next !== null; next = ibanStartPattern.exec(text)) {
        const start = next.index;
        ibanStartPattern.lastIndex = start + 1;
        if (start > 0 && isWordCharacter(text.charCodeAt(start - 1))) continue;
        const length = ibanLengths.get(text.slice(start, start + 2));
        if (length === undefined) continue;
        let compact = "";
        let index = start;
        while (index < text.length && compact.length < length) {
          const code = text.charCodeAt(index);
          if (isAsciiAlphanumeric(code)) {
            compact += text[index];
            index += 1;
          } else if (code === 32 && compact.length % 4 === 0 && index + 1 < text.length && isAsciiAlphanumeric(text.charCodeAt(index + 1))) {
            index += 1;
          } else {
            break;
          }
        }
        if (compact.length !== length) continue;
        if (index < text.length && isWordCharacter(text.charCodeAt(index))) continue;
        if (isValidIBAN(compact.toUpperCase())) {
          detections.push({ entityType: "IBAN_CODE", detector: "iban", start, end: index, score: 1 });
        }
      }
    },
  };
}
