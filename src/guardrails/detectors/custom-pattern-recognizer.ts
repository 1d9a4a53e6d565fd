import { RE2JS } from "re2js";
import { InvalidPatternError } from "./errors.js";
import type { Recognizer } from "./recognizer.js";
import type { CustomPattern, Detection } from "./types.js";

/**
 * A custom pattern's matches longer than this are reported as consecutive pieces of at most this length, so the
 * streaming hold-back bound (maxDetectionLength) stays true whatever the pattern.
 */
export const customMatchPieceLength = 256;
const maximumPatternLength = 2000;
const namePattern = /^[A-Za-z0-9_]{1,64}$/; // one bounded class, anchored: linear

/** The entity type of a custom pattern or dictionary: CUSTOM_ and its name in upper case. */
export function customEntityType(name: string): `CUSTOM_${string}` {
  return `CUSTOM_${name.toUpperCase()}`;
}

/** Checks the name of a custom pattern or dictionary (letters, digits, underscore; 1–64). */
export function assertValidCustomName(name: string, kind: "custom pattern" | "dictionary"): void {
  if (typeof name !== "string" || !namePattern.test(name)) throw new InvalidPatternError(String(name), "names are 1–64 letters, digits or underscores", kind);
}

/** Compiles a custom pattern with RE2 (linear time, no backreferences or lookaround); throws InvalidPatternError naming it. */
export function compileCustomPattern(custom: CustomPattern): RE2JS {
  assertValidCustomName(custom.name, "custom pattern");
  if (typeof custom.pattern !== "string" || custom.pattern.length === 0) throw new InvalidPatternError(custom.name, "the pattern is empty");
  if (custom.pattern.length > maximumPatternLength) throw new InvalidPatternError(custom.name, `the pattern is longer than ${maximumPatternLength} characters`);
  if (custom.flags !== undefined && custom.flags !== "i") throw new InvalidPatternError(custom.name, `unknown flags '${String(custom.flags)}' (only "i")`);
  let expression: RE2JS;
  try {
    expression = RE2JS.compile(custom.pattern, custom.flags === "i" ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    throw new InvalidPatternError(custom.name, error instanceof Error ? error.message : String(error));
  }
  if (expression.matches("")) throw new InvalidPatternError(custom.name, "the pattern matches the empty string");
  return expression;
}

/** Custom regular expressions through RE2 (re2js): matching time is linear in the text whatever the pattern. */
export function createCustomPatternRecognizer(custom: CustomPattern): Recognizer {
  const expression = compileCustomPattern(custom);
  const entityType = customEntityType(custom.name);
  const detector = `custom:${custom.name}`;
  return {
    detector,
    entityTypes: [entityType],
    maxLength: customMatchPieceLength,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      const matcher = expression.matcher(text);
      while (matcher.find()) {
        const start = matcher.start();
        const end = matcher.end();
        for (let pieceStart = start; pieceStart < end; pieceStart += customMatchPieceLength) {
          detections.push({ entityType, detector, start: pieceStart, end: Math.min(end, pieceStart + customMatchPieceLength), score: 1 });
        }
      }
    },
  };
}
