import { describe, expect, it } from "vitest";
import { StopSequenceMatcher } from "../../src/runtime/stop-sequence-matcher.js";

describe("StopSequenceMatcher", () => {
  it("holds back a partial stop string until it is disambiguated", () => {
    const matcher = new StopSequenceMatcher(["END"]);
    expect(matcher.push("hello E")).toEqual({ emit: "hello ", stopped: false });
    expect(matcher.push("N")).toEqual({ emit: "", stopped: false });
    expect(matcher.push("Xtra")).toEqual({ emit: "ENXtra", stopped: false });
  });

  it("stops before a stop string split across chunks and drops it", () => {
    const matcher = new StopSequenceMatcher(["\n\n", "END"]);
    expect(matcher.push("abc E")).toEqual({ emit: "abc ", stopped: false });
    expect(matcher.push("ND more")).toEqual({ emit: "", stopped: true });
  });

  it("picks the earliest of several stop strings", () => {
    const matcher = new StopSequenceMatcher(["b", "cd"]);
    expect(matcher.push("acdb")).toEqual({ emit: "a", stopped: true });
  });

  it("releases held text at the end", () => {
    const matcher = new StopSequenceMatcher(["STOP"]);
    expect(matcher.push("xST").emit).toBe("x");
    expect(matcher.flush()).toBe("ST");
  });

  it("passes everything through without stop strings", () => {
    expect(new StopSequenceMatcher([""]).push("anything")).toEqual({ emit: "anything", stopped: false });
  });
});
