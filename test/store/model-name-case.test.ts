import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegisteredModel } from "../../src/runtime/types.js";
import { InvalidRequestError } from "../../src/spec/index.js";
import { createModelRepository, createPriceRepository } from "../../src/store/index.js";
import * as modelNameCase from "../../src/store/migrations/0008-model-name-case.js";
import { type TestDatabase, testDatabaseFactories } from "./test-databases.js";

const model = (name: string): RegisteredModel => ({
  name,
  path: `/models/${name}.gguf`,
  kind: "llm",
  metadata: {
    architecture: "llama",
    kind: "llm",
    parameterCount: 260_000,
    quantization: "F32",
    contextLength: 128,
    embeddingLength: 64,
    expertCount: undefined,
    expertUsedCount: undefined,
    hasChatTemplate: false,
    vocabularySize: 512,
    fileSizeBytes: 1_000,
  },
});

describe.each(testDatabaseFactories)("model names keep their case and match in any case ($dialect)", (factory) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await factory.open();
  }, 120_000);
  afterAll(async () => {
    await test?.close();
  });

  it("models: stored as given, found and removed in any case, unique in any case", async () => {
    const models = createModelRepository(test.database, { now: () => 1 });
    expect((await models.add(model("Stories260K"))).name).toBe("Stories260K");
    expect((await models.get("stories260k"))?.name).toBe("Stories260K");
    expect((await models.get("STORIES260K"))?.name).toBe("Stories260K");
    await expect(models.add(model("stories260K"))).rejects.toThrow(InvalidRequestError);
    await expect(models.add(model("stories260K"))).rejects.toThrow("model Stories260K already exists");
    // The database refuses another case of the name too (a concurrent add that passed the check).
    await expect(test.database.db.insertInto("models").values({ ...row("STORIES260K") }).execute()).rejects.toThrow();
    expect(await models.remove("stories260K")).toBe(true);
    expect(await models.list()).toEqual([]);
  });

  it("prices: one price per model in any case, kept under the first spelling", async () => {
    const prices = createPriceRepository(test.database, { now: () => 1 });
    await prices.set("Qwen3-0.6B", { inputMicrosPerMillion: 1, outputMicrosPerMillion: 2 });
    await prices.set("qwen3-0.6b", { inputMicrosPerMillion: 3, outputMicrosPerMillion: 4 });
    expect(await prices.list()).toEqual([{ model: "Qwen3-0.6B", inputMicrosPerMillion: 3, outputMicrosPerMillion: 4, updatedAt: 1 }]);
    expect((await prices.get("QWEN3-0.6B"))?.inputMicrosPerMillion).toBe(3);
    expect(await prices.remove("qwen3-0.6B")).toBe(true);
    expect(await prices.list()).toEqual([]);
  });

  it("migration 0008 renames models and drops prices that differed only in case before it", async () => {
    const db = test.database.db as unknown as Kysely<unknown>;
    await modelNameCase.down(db);
    await test.database.db.insertInto("models").values([row("Tiny", 1), row("tiny", 2), row("TINY", 3), row("tiny-2", 4)]).execute();
    await test.database.db
      .insertInto("prices")
      .values([
        { model: "Tiny", input_micros_per_million: 1, output_micros_per_million: 1, updated_at: 1 },
        { model: "tiny", input_micros_per_million: 2, output_micros_per_million: 2, updated_at: 2 },
      ])
      .execute();
    await modelNameCase.up(db);
    const names = (await test.database.db.selectFrom("models").select(["name", "created_at"]).orderBy("created_at").execute()).map((entry) => entry.name);
    expect(names).toEqual(["Tiny", "tiny-3", "TINY-4", "tiny-2"]);
    expect(await test.database.db.selectFrom("prices").select(["model", "input_micros_per_million"]).execute()).toEqual([{ model: "tiny", input_micros_per_million: expect.anything() }]);
    await expect(test.database.db.insertInto("models").values(row("TINY-2", 5)).execute()).rejects.toThrow();
  });
});

function row(name: string, createdAt = 1) {
  return { name, path: `/models/${name}.gguf`, kind: "llm", size_bytes: 1, sha256: null, architecture: "llama", metadata: JSON.stringify(model(name).metadata), created_at: createdAt };
}
