import { describe, expect, it } from "vitest";
import { createPiiScanner, detectInjection } from "../../../src/guardrails/detectors/index.js";

const size = 4 * 1024 * 1024;
const fill = (unit: string, length = size) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
/** A 4 MB body made of 1 MB runs of four kinds of near-matches. */
const quarters = (...units: [string, string, string, string]) => units.map((unit) => fill(unit, size / 4)).join("\n");

/** 4 MB bodies of near-matches for every detector: each scan must come back (no assertion on time). */
const hostileBodies: Record<string, string> = {
  "Luhn-invalid cards, single digits, phone-shaped numbers and IBAN prefixes": quarters("4111 1111 1111 1112 ", "1 ", "+1 555 123 4567 ", "GB00 "),
  "at signs, colons, a long domain-like run and URL schemes": quarters("a@b.", "1:2:", "a.b", "http://a."),
  "assignments, PEM headers, JWT prefixes and capitalised words": quarters("api_key = x", "-----BEGIN RSA PRIVATE KEY-----\n", "eyJ", "Hello World "),
  "mixed PII, non-ASCII text, PEM footers after base64 and one endless word": quarters("Mr. Smith 832-13-6314 x@y.com ", "Grüße aus der Straße 5 北京 ", `${"QUJD".repeat(500)}\n-----END PRIVATE KEY-----\n`, "x"),
};

describe("hostile inputs", () => {
  const scanner = createPiiScanner({ entityTypes: "all" });
  for (const [name, body] of Object.entries(hostileBodies)) {
    it(`scans 4 MB of ${name} and returns well-formed detections`, () => {
      const detections = scanner.scan(body);
      expect(Array.isArray(detections)).toBe(true);
      let previousEnd = 0;
      for (const detection of detections) {
        expect(detection.start).toBeGreaterThanOrEqual(previousEnd);
        expect(detection.end).toBeLessThanOrEqual(body.length);
        previousEnd = detection.end;
      }
    }, 180_000);
  }

  it("finds the real values among 4 MB of near-matches", () => {
    const body = `${fill("4111 1111 1111 1112 ").slice(0, size / 2)} 4111 1111 1111 1111 ${fill("a@b.").slice(0, size / 2)} x EwanDawson@dayrep.com x`;
    const values = scanner.scan(body).map((detection) => body.slice(detection.start, detection.end));
    expect(values).toContain("4111 1111 1111 1111");
    expect(values).toContain("EwanDawson@dayrep.com");
  }, 180_000);

  it("runs the injection heuristics over 4 MB of near-matches", () => {
    for (const body of [fill("ignore the the the the "), fill("send it to "), fill("your "), fill("\u200b\udb40\udc41")]) {
      expect(Array.isArray(detectInjection(body))).toBe(true);
    }
  }, 180_000);
});
