import { describe, expect, it } from "vitest";
import { computeCostNanos, dollarsToMicros, dollarsToNanos } from "../../src/maas/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";

describe("cost in nano-dollars", () => {
  it("is ceil(tokens × micros / 1000) per side, exactly", () => {
    const price = { inputMicrosPerMillion: dollarsToMicros(1.5), outputMicrosPerMillion: dollarsToMicros(2) };
    expect(price).toEqual({ inputMicrosPerMillion: 1_500_000, outputMicrosPerMillion: 2_000_000 });
    expect(computeCostNanos(price, { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(3_500_000_000);
    expect(computeCostNanos(price, { inputTokens: 7, outputTokens: 3 })).toBe(7 * 1500 + 3 * 2000);
    // $0.001/1M = 1000 micros: 1 token costs exactly 1 nano; 0.123/1M rounds up per side.
    expect(computeCostNanos({ inputMicrosPerMillion: 1000, outputMicrosPerMillion: 123 }, { inputTokens: 1, outputTokens: 1 })).toBe(1 + 1);
    expect(computeCostNanos({ inputMicrosPerMillion: 1001, outputMicrosPerMillion: 0 }, { inputTokens: 999, outputTokens: 5 })).toBe(1000);
    // Large but safe: 10M tokens at $75/1M.
    expect(computeCostNanos({ inputMicrosPerMillion: 75_000_000, outputMicrosPerMillion: 75_000_000 }, { inputTokens: 10_000_000, outputTokens: 1 })).toBe(750_000_000_000 + 75_000);
  });

  it("bills nothing for an unknown price or unknown tokens", () => {
    expect(computeCostNanos(undefined, { inputTokens: 100, outputTokens: 100 })).toBe(0);
    expect(computeCostNanos({ inputMicrosPerMillion: 1_000_000, outputMicrosPerMillion: 1_000_000 }, { inputTokens: undefined, outputTokens: 10 })).toBe(10_000);
  });

  it("converts dollars and refuses negative or non-finite amounts", () => {
    expect(dollarsToNanos(5)).toBe(5_000_000_000);
    expect(dollarsToNanos(0.1 + 0.2)).toBe(300_000_000);
    expect(() => dollarsToNanos(-1)).toThrow(InvalidRequestError);
    expect(() => dollarsToMicros(Number.NaN)).toThrow(InvalidRequestError);
  });
});
