import { forEachDigitRun } from "./digit-groups.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection } from "./types.js";

/** Numbers the SSA published in advertising, never issued to a person. */
const advertisedNumbers = new Set(["078051120", "219099999"]);

/** Whether a nine-digit string follows the SSA's rules: area not 000, 666 or 900–999; group not 00; serial not 0000. */
export function isValidSocialSecurityNumber(digits: string): boolean {
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false;
  return !advertisedNumbers.has(digits);
}

/**
 * US social security numbers written ddd-dd-dddd or ddd dd dddd (same separator both times), exactly three groups,
 * with the SSA's area/group/serial rules. Bare nine-digit numbers are not reported: without the layout they are
 * indistinguishable from other numbers.
 */
export function createUsSsnRecognizer(): Recognizer {
  return {
    detector: "us_ssn",
    entityTypes: ["US_SSN"],
    maxLength: 11,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      forEachDigitRun(text, "- ", (run) => {
        const [area, group, serial] = run.groups;
        if (run.groups.length !== 3 || area === undefined || group === undefined || serial === undefined) return;
        if (area.end - area.start !== 3 || group.end - group.start !== 2 || serial.end - serial.start !== 4) return;
        if (text[area.end] !== text[group.end]) return;
        const digits = text.slice(area.start, area.end) + text.slice(group.start, group.end) + text.slice(serial.start, serial.end);
        if (isValidSocialSecurityNumber(digits)) detections.push({ entityType: "US_SSN", detector: "us_ssn", start: run.start, end: run.end, score: 0.85 });
      });
    },
  };
}
