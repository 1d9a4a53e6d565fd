import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPiiScanner, type Detection } from "../../../src/guardrails/detectors/index.js";
import { withLuhnDigit } from "./support.js";

const scanner = createPiiScanner({ entityTypes: "all", custom: [{ name: "ticket", pattern: String.raw`TCK-\d{4,8}` }], dictionaries: [{ name: "codenames", words: ["Blue Heron", "Osprey"] }] });

function expectWellFormed(text: string, detections: Detection[]): void {
  let previousEnd = 0;
  for (const detection of detections) {
    expect(Number.isInteger(detection.start) && Number.isInteger(detection.end)).toBe(true);
    expect(detection.start).toBeGreaterThanOrEqual(previousEnd);
    expect(detection.end).toBeGreaterThan(detection.start);
    expect(detection.end).toBeLessThanOrEqual(text.length);
    expect(detection.end - detection.start).toBeLessThanOrEqual(scanner.maxDetectionLength);
    expect(detection.score).toBeGreaterThan(0);
    expect(detection.score).toBeLessThanOrEqual(1);
    previousEnd = detection.end;
  }
}

/** Text made of pieces that look like the things detectors look for, glued by random separators. */
const lookAlikePiece = fc.constantFrom(
  "4111 1111 1111 1111", "4111111111111112", "+41 (0)69 979 80 58", "832-13-6314", "GB56HXDO88167774656119", "86.121.97.248", "fe80::1",
  "a@b.co", "@", "https://x.io/a(b)", "www.example.com", "api_key = \"Zm9vYmFy1YmF6\"", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
  "Mr. Smith", "Rue de Tanger", "Apt. 5", "TCK-12345", "blue heron", "11010519491231002X", "RSSMRA85T10A562S", "😀", "\u200b", "ß", "İ",
);
const separator = fc.constantFrom(" ", "", "\n", ", ", ".", "-", ":", "/", "(", ")");
const mixedText = fc.array(fc.oneof(lookAlikePiece, fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 8 })), { maxLength: 30 })
  .chain((pieces) => fc.array(separator, { minLength: pieces.length, maxLength: pieces.length }).map((separators) => pieces.map((piece, index) => piece + separators[index]).join("")));

describe("scanner properties", () => {
  it("returns detections within bounds, non-overlapping and sorted, for any text", () => {
    fc.assert(fc.property(fc.oneof(mixedText, fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 200 })), (text) => {
      expectWellFormed(text, scanner.scan(text));
    }), { numRuns: 400 });
  });

  it("always finds a valid e-mail address inserted between spaces", () => {
    const local = fc.stringMatching(/^[a-z][a-z0-9]{0,10}(?:\.[a-z0-9]{1,8})?$/);
    const domain = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]\.(?:com|org|de|io)$/);
    fc.assert(fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), local, domain, (before, after, user, host) => {
      const email = `${user}@${host}`;
      const text = `${before} ${email} ${after}`;
      const start = before.length + 1;
      const detections = scanner.scan(text);
      expectWellFormed(text, detections);
      expect(detections.some((detection) => detection.start <= start && detection.end >= start + email.length)).toBe(true);
    }), { numRuns: 300 });
  });

  it("always finds a valid card number inserted between spaces, bare or grouped", () => {
    const card = fc.tuple(fc.constantFrom("4", "51", "37", "6011", "3530", "5018"), fc.integer({ min: 12, max: 19 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }))
      .map(([prefix, length, digits]) => {
        const size = prefix === "37" ? 15 : prefix === "51" ? 16 : prefix === "4" ? ([13, 16, 19].includes(length) ? length : 16) : prefix === "5018" ? length : Math.max(16, length);
        return withLuhnDigit((prefix + digits.join("")).slice(0, size - 1));
      });
    fc.assert(fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), card, fc.boolean(), (before, after, number, grouped) => {
      const printed = grouped ? number.replace(/(\d{4})(?=\d)/g, "$1 ") : number;
      const text = `${before} ${printed} ${after}`;
      const start = before.length + 1;
      const detections = scanner.scan(text);
      expectWellFormed(text, detections);
      expect(detections.some((detection) => detection.start <= start && detection.end >= start + printed.length)).toBe(true);
    }), { numRuns: 300 });
  });
});
