import { isDigit, isWordCharacter, nextDigit } from "./characters.js";
import { isCalendarDate, iso7064Mod11Of2CheckCharacter } from "./checksums.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection } from "./types.js";

/** First two digits: province-level division codes of GB/T 2260 (and 71 Taiwan, 81 Hong Kong, 82 Macau, 83 residence permits, 91 foreigners). */
const provinceCodes = new Set([11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91]);

/** Whether an 18-character string is a valid resident identity card number (GB 11643-1999). */
export function isValidChineseResidentId(value: string): boolean {
  if (value.length !== 18) return false;
  for (let index = 0; index < 17; index += 1) if (!isDigit(value.charCodeAt(index))) return false;
  if (!provinceCodes.has(Number(value.slice(0, 2)))) return false;
  const year = Number(value.slice(6, 10));
  if (year < 1900 || year > new Date().getUTCFullYear()) return false;
  if (!isCalendarDate(year, Number(value.slice(10, 12)), Number(value.slice(12, 14)))) return false;
  return iso7064Mod11Of2CheckCharacter(value.slice(0, 17)) === value[17]!.toUpperCase();
}

/** Chinese resident identity numbers: 17 digits and an ISO 7064 MOD 11-2 check character, a province code and a real birth date. */
export function createCnResidentIdRecognizer(): Recognizer {
  return {
    detector: "cn_resident_id",
    entityTypes: ["CN_RESIDENT_ID"],
    maxLength: 18,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      let index = 0;
      for (;;) {
        index = nextDigit(text, index);
        if (index === -1) return;
        const start = index;
        while (index < text.length && isDigit(text.charCodeAt(index))) index += 1;
        let end = index;
        if (end - start === 17 && (text[end] === "X" || text[end] === "x")) end += 1;
        const glued = (start > 0 && isWordCharacter(text.charCodeAt(start - 1))) || (end < text.length && isWordCharacter(text.charCodeAt(end)));
        if (!glued && end - start === 18 && isValidChineseResidentId(text.slice(start, end))) {
          detections.push({ entityType: "CN_RESIDENT_ID", detector: "cn_resident_id", start, end, score: 0.95 });
        }
        index = end;
        while (index < text.length && isWordCharacter(text.charCodeAt(index))) index += 1;
      }
    },
  };
}
