import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPriceBook } from "../../src/maas/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";
import { sqliteTestDatabase, type TestDatabase } from "../store/test-databases.js";

describe("price book", () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await sqliteTestDatabase.open();
  });
  afterEach(async () => {
    await test.close();
  });

  it("stores dollars per 1M tokens as micro-dollars and prices usage exactly", async () => {
    const prices = createPriceBook({ database: test.database, now: () => 42 });
    const set = await prices.set("qwen3-0.6b", { inputDollarsPerMillion: 0.15, outputDollarsPerMillion: 0.6 });
    expect(set).toEqual({ model: "qwen3-0.6b", inputMicrosPerMillion: 150_000, outputMicrosPerMillion: 600_000, inputDollarsPerMillion: 0.15, outputDollarsPerMillion: 0.6, updatedAt: 42 });
    expect(await prices.costNanos("qwen3-0.6b", { inputTokens: 1000, outputTokens: 333 })).toBe(150_000 + 199_800);
    expect(await prices.costNanos("unpriced", { inputTokens: 1000, outputTokens: 1000 })).toBe(0);
    await expect(prices.set("qwen3-0.6b", { inputDollarsPerMillion: -1, outputDollarsPerMillion: 1 })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(prices.set("qwen3-0.6b", { inputDollarsPerMillion: 1, outputDollarsPerMillion: Number.POSITIVE_INFINITY })).rejects.toThrow(/output/);
    expect(await prices.get("qwen3-0.6b")).toEqual(set);
    expect((await prices.list()).map((price) => price.model)).toEqual(["qwen3-0.6b"]);
    expect(await prices.remove("qwen3-0.6b")).toBe(true);
    expect(await prices.get("qwen3-0.6b")).toBeUndefined();
  });
});
