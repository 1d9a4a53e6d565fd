import { describe, expect, it } from "vitest";
import { aggregateByTags, bootstrapMeanInterval, mean, pairedDifference, quantileSorted, sampleStandardError, summarizeMetric, wilsonInterval } from "../../src/eval/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";

describe("metrics", () => {
  it("computes the mean and lm-eval's sample standard error", () => {
    // values 1,0,1,1: μ = 0.75, Σ(x−μ)² = 0.75, /3 = 0.25, sqrt = 0.5, /sqrt(4) = 0.25
    expect(mean([1, 0, 1, 1])).toBe(0.75);
    expect(sampleStandardError([1, 0, 1, 1])).toBeCloseTo(0.25, 15);
    expect(sampleStandardError([1])).toBeUndefined();
    expect(mean([])).toBeNaN();
  });

  it("interpolates quantiles like numpy", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
  });

  it("bootstraps a seeded, reproducible 95% interval around the mean", () => {
    const values = Array.from({ length: 200 }, (_, index) => (index % 4 === 0 ? 0 : 1));
    const interval = bootstrapMeanInterval(values, { rounds: 500, seed: 7 })!;
    expect(interval).toEqual(bootstrapMeanInterval(values, { rounds: 500, seed: 7 }));
    expect(interval).not.toEqual(bootstrapMeanInterval(values, { rounds: 500, seed: 8 }));
    expect(interval[0]).toBeLessThan(0.75);
    expect(interval[1]).toBeGreaterThan(0.75);
    // normal approximation: ±1.96 × 0.0307 ≈ ±0.06
    expect(interval[1] - interval[0]).toBeGreaterThan(0.08);
    expect(interval[1] - interval[0]).toBeLessThan(0.16);
    expect(bootstrapMeanInterval([])).toBeUndefined();
    expect(summarizeMetric("acc", values, { rounds: 100 })).toMatchObject({ name: "acc", value: 0.75, count: 200 });
  });

  it("computes llama.cpp's Wilson interval", () => {
    const [low, high] = wilsonInterval(48, 200);
    // Wilson 95% for p = 0.24, n = 200 (same formula evaluated in Python)
    expect(low).toBeCloseTo(0.18606615992413825, 12);
    expect(high).toBeCloseTo(0.30373340979203983, 12);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });

  it("compares two runs on their shared items", () => {
    const a = new Map(Array.from({ length: 100 }, (_, index) => [`item-${index}`, index % 2]));
    const b = new Map(Array.from({ length: 100 }, (_, index) => [`item-${index}`, index % 2 === 1 || index % 5 === 0 ? 1 : 0]));
    b.set("extra", 1);
    const difference = pairedDifference(a, b, { rounds: 400 });
    expect(difference.count).toBe(100);
    expect(difference.unmatched).toBe(1);
    expect(difference.difference).toBeCloseTo(0.1, 12);
    expect(difference.interval![0]).toBeGreaterThan(0.02);
    expect(difference.interval![1]).toBeLessThan(0.2);
    expect(() => pairedDifference(new Map([["x", 1]]), new Map([["y", 1]]))).toThrow(InvalidRequestError);
  });

  it("aggregates task scores by dimension and capability tags", () => {
    const aggregates = aggregateByTags([
      { task: "arc", tags: { dimension: "general", capabilities: ["knowledge", "reasoning"] }, value: 0.5, count: 100 },
      { task: "gsm8k", tags: { dimension: "general", capabilities: ["math", "reasoning"] }, value: 0.2, count: 300 },
      { task: "truthfulqa", tags: { dimension: "safety", capabilities: ["knowledge"] }, value: 0.4, count: 100 },
    ]);
    const byTag = Object.fromEntries(aggregates.map((aggregate) => [aggregate.tag, aggregate]));
    expect(Object.keys(byTag)).toEqual(["capability:knowledge", "capability:math", "capability:reasoning", "dimension:general", "dimension:safety"]);
    expect(byTag["dimension:general"]!.macro).toBeCloseTo(0.35, 12);
    expect(byTag["dimension:general"]!.micro).toBeCloseTo((50 + 60) / 400, 12);
    expect(byTag["capability:knowledge"]!.tasks).toEqual(["arc", "truthfulqa"]);
  });
});
