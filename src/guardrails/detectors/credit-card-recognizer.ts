import { passesLuhn } from "./checksums.js";
import { forEachDigitRun, groupDigits, separatorsAreUniform } from "./digit-groups.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection } from "./types.js";

const minimumDigits = 12;
const maximumDigits = 19;

/**
 * Whether the number starts with an issuer prefix of a payment network and has one of its lengths
 * (Visa, Mastercard, American Express, Discover, Diners, JCB, Maestro, UnionPay, Mir, RuPay).
 */
export function hasCardIssuerPrefix(digits: string): boolean {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  switch (digits[0]) {
    case "0":
      return four === 604 && length >= 12; // Maestro 0604
    case "1":
      return four === 1800 && length === 15; // JCB 15
    case "2":
      if (four === 2131) return length === 15; // JCB 15
      if (four >= 2221 && four <= 2720) return length === 16; // Mastercard 2-series
      return four >= 2200 && four <= 2204 && length >= 16; // Mir
    case "3":
      if (two === 34 || two === 37) return length === 15; // American Express
      if ((three >= 300 && three <= 305) || two === 36 || two === 38 || two === 39) return length >= 14; // Diners
      if (two === 35) return length >= 16; // JCB
      return false;
    case "4":
      return length === 13 || length >= 16; // Visa (and Visa Electron)
    case "5":
      if (two >= 51 && two <= 55) return length === 16; // Mastercard
      return two === 50 || (two >= 56 && two <= 58); // Maestro, 12–19 digits
    case "6":
      return true; // Discover, Maestro, UnionPay, RuPay: 12–19 digits
    default:
      return false;
  }
}

/**
 * Payment card numbers: 12–19 digits, bare or in groups joined by one space or dash, that pass the Luhn check and
 * start with an issuer prefix of matching length. Every window of consecutive groups of 3–8 digits in a run is tried (at
 * most 6 groups each), so "card 4111 1111 1111 1111 exp 0127" still finds the card.
 */
export function createCreditCardRecognizer(): Recognizer {
  return {
    detector: "credit_card",
    entityTypes: ["CREDIT_CARD"],
    maxLength: maximumDigits * 2,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      forEachDigitRun(text, " -", (run) => {
        const { groups } = run;
        for (let from = 0; from < groups.length; from += 1) {
          let digitCount = 0;
          for (let to = from + 1; to <= groups.length; to += 1) {
            const groupLength = groups[to - 1]!.end - groups[to - 1]!.start;
            digitCount += groupLength;
            if (digitCount > maximumDigits) break;
            // Printed cards group their digits in threes to eights (4-4-4-4, 4-6-5), the last group possibly shorter
            // (4-4-4-1); this also bounds the windows to a handful of groups.
            const multiple = to - from > 1;
            if (multiple && (groupLength > 8 || groups[from]!.end - groups[from]!.start < 3)) break;
            const shortLast = multiple && groupLength < 3;
            if (digitCount >= minimumDigits && separatorsAreUniform(text, groups, from, to)) {
              const digits = groupDigits(text, groups, from, to);
              if (hasCardIssuerPrefix(digits) && passesLuhn(digits)) {
                detections.push({ entityType: "CREDIT_CARD", detector: "credit_card", start: groups[from]!.start, end: groups[to - 1]!.end, score: 0.9 });
              }
            }
            if (shortLast) break;
          }
        }
      });
    },
  };
}
