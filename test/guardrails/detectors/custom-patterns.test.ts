import { describe, expect, it } from "vitest";
import { createPiiScanner, InvalidPatternError } from "../../../src/guardrails/detectors/index.js";

describe("custom patterns", () => {
  it("reports matches as CUSTOM_<NAME>, case-insensitive with the i flag", () => {
    const scanner = createPiiScanner({ entityTypes: [], custom: [{ name: "employee_id", pattern: String.raw`EMP-\d{6}` }, { name: "project", pattern: "project (?:falcon|osprey)", flags: "i" }] });
    const text = "EMP-004211 works on Project Falcon; emp-123456 does not match case-sensitively.";
    expect(scanner.scan(text).map((detection) => [detection.entityType, detection.detector, text.slice(detection.start, detection.end)])).toEqual([
      ["CUSTOM_EMPLOYEE_ID", "custom:employee_id", "EMP-004211"],
      ["CUSTOM_PROJECT", "custom:project", "Project Falcon"],
    ]);
  });

  it("throws InvalidPatternError naming an invalid pattern", () => {
    const attempt = () => createPiiScanner({ entityTypes: "all", custom: [{ name: "ok", pattern: "a+" }, { name: "broken", pattern: "(unclosed" }] });
    expect(attempt).toThrow(InvalidPatternError);
    expect(attempt).toThrow(/custom pattern 'broken'/);
    for (const pattern of [String.raw`(\w)\1`, "(?<=a)b", "(?=x)y", ""]) {
      expect(() => createPiiScanner({ entityTypes: [], custom: [{ name: "bad", pattern }] })).toThrow(InvalidPatternError);
    }
    expect(() => createPiiScanner({ entityTypes: [], custom: [{ name: "empty_match", pattern: "a*" }] })).toThrow(/matches the empty string/);
    expect(() => createPiiScanner({ entityTypes: [], custom: [{ name: "bad name!", pattern: "a" }] })).toThrow(InvalidPatternError);
    expect(() => createPiiScanner({ entityTypes: [], custom: [{ name: "x", pattern: "a" }, { name: "X", pattern: "b" }] })).toThrow(/used twice/);
  });

  it("matches ReDoS-shaped patterns on long hostile input (RE2: linear time)", () => {
    const scanner = createPiiScanner({ entityTypes: [], custom: [{ name: "evil", pattern: "(a+)+b" }, { name: "evil2", pattern: "(a|aa)+c" }, { name: "evil3", pattern: "(x+x+)+y" }] });
    const hostile = "a".repeat(200_000);
    expect(scanner.scan(hostile)).toEqual([]);
    const withMatch = `${hostile}b`;
    const detections = scanner.scan(withMatch);
    // The match covers the whole input, reported in pieces no longer than maxDetectionLength.
    expect(detections[0]!.start).toBe(0);
    expect(detections[detections.length - 1]!.end).toBe(withMatch.length);
    for (const detection of detections) expect(detection.end - detection.start).toBeLessThanOrEqual(scanner.maxDetectionLength);
  });
});

describe("dictionaries", () => {
  it("finds words on word boundaries, case-insensitive by default", () => {
    const scanner = createPiiScanner({ entityTypes: [], dictionaries: [{ name: "codenames", words: ["Blue Heron", "Osprey", "Zürich Team"] }] });
    const text = "The blue heron plan, OSPREY, ospreys and the zürich team.";
    expect(scanner.scan(text).map((detection) => [detection.entityType, text.slice(detection.start, detection.end)])).toEqual([
      ["CUSTOM_CODENAMES", "blue heron"],
      ["CUSTOM_CODENAMES", "OSPREY"],
      ["CUSTOM_CODENAMES", "zürich team"],
    ]);
  });

  it("is case-sensitive when asked, prefers the longest overlapping word, and rejects empty dictionaries", () => {
    const scanner = createPiiScanner({ entityTypes: [], dictionaries: [{ name: "terms", words: ["Acme", "Acme Labs"], caseSensitive: true }] });
    const text = "acme and Acme Labs";
    expect(scanner.scan(text).map((detection) => text.slice(detection.start, detection.end))).toEqual(["Acme Labs"]);
    expect(() => createPiiScanner({ entityTypes: [], dictionaries: [{ name: "none", words: [" "] }] })).toThrow(InvalidPatternError);
  });

  it("handles thousands of words and long input in one pass", () => {
    const words = Array.from({ length: 5000 }, (_, index) => `term${index}x`);
    const scanner = createPiiScanner({ entityTypes: [], dictionaries: [{ name: "many", words }] });
    const text = `${"term12 ".repeat(100_000)}term4999x`;
    const detections = scanner.scan(text);
    expect(detections.map((detection) => text.slice(detection.start, detection.end))).toEqual(["term4999x"]);
  });
});
