import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegisteredModel } from "../../src/runtime/types.js";
import { InvalidRequestError } from "../../src/spec/index.js";
import {
  createApiKeyRepository,
  createInstanceRepository,
  createModelRepository,
  createPriceRepository,
  createProviderRepository,
  createUsageRecordRepository,
  type NewApiKey,
} from "../../src/store/index.js";
import { type TestDatabase, testDatabaseFactories } from "./test-databases.js";

const model: RegisteredModel = {
  name: "stories",
  path: "/models/stories260K.gguf",
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
    fileSizeBytes: 1_185_376,
  },
};

function newKey(overrides: Partial<NewApiKey> = {}): NewApiKey {
  return {
    id: "key-1",
    name: "alice",
    prefix: "aip_abcdefgh",
    hash: "a".repeat(64),
    isAdmin: false,
    models: ["stories"],
    rpm: 60,
    tpm: 20_000,
    budgetNanos: 5_000_000_000,
    budgetPeriod: "month",
    periodStart: Date.UTC(2026, 10, 1),
    expiresAt: undefined,
    createdAt: Date.UTC(2026, 10, 2),
    ...overrides,
  };
}

for (const factory of testDatabaseFactories) {
  describe(`repositories on ${factory.dialect}`, () => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await factory.open();
    });
    afterAll(async () => {
      await test?.close();
    });

    it("models: add, get, list, refuse duplicates, remove", async () => {
      const models = createModelRepository(test.database, { now: () => 1000 });
      expect(await models.add(model)).toEqual(model);
      expect(await models.get("stories")).toEqual(model);
      await models.add({ ...model, name: "another", kind: "embedding", metadata: { ...model.metadata, kind: "embedding" }, sha256: "ff" });
      expect((await models.list()).map((entry) => entry.name)).toEqual(["another", "stories"]);
      const duplicate = models.add({ ...model, path: "/elsewhere.gguf" });
      await expect(duplicate).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(models.add(model)).rejects.toThrow("model stories already exists");
      expect((await models.get("stories"))?.path).toBe("/models/stories260K.gguf");
      expect(await models.remove("another")).toBe(true);
      expect(await models.remove("another")).toBe(false);
      expect(await models.get("another")).toBeUndefined();
      expect((await models.list()).length).toBe(1);
    });

    it("providers: add with defaults, unique name, list by priority, remove", async () => {
      let next = 0;
      const providers = createProviderRepository(test.database, { now: () => 5, generateId: () => `provider-${++next}` });
      const first = await providers.add({ name: "upstream-b", baseUrl: "http://127.0.0.1:9/v1", models: ["gpt-x", "gpt-y"] });
      expect(first).toEqual({
        id: "provider-1", name: "upstream-b", baseUrl: "http://127.0.0.1:9/v1", apiKey: undefined,
        models: ["gpt-x", "gpt-y"], priority: 100, timeoutMs: 60_000, createdAt: 5,
      });
      await providers.add({ name: "upstream-a", baseUrl: "http://127.0.0.1:8/v1", apiKey: "sk-1", models: [], priority: 10, timeoutMs: 500 });
      await expect(providers.add({ name: "upstream-a", baseUrl: "http://x/v1", models: [] })).rejects.toThrow("provider upstream-a already exists");
      expect((await providers.list()).map((provider) => provider.name)).toEqual(["upstream-a", "upstream-b"]);
      expect((await providers.get("upstream-a"))?.apiKey).toBe("sk-1");
      expect(await providers.remove("upstream-a")).toBe(true);
      expect(await providers.remove("upstream-a")).toBe(false);
      expect((await providers.list()).map((provider) => provider.name)).toEqual(["upstream-b"]);
    });

    it("api keys: insert, find by hash and prefix, update limits, revoke", async () => {
      const keys = createApiKeyRepository(test.database);
      const record = await keys.insert(newKey());
      expect(record).toMatchObject({ id: "key-1", isAdmin: false, models: ["stories"], budgetNanos: 5_000_000_000, spentNanos: 0, reservedNanos: 0, revokedAt: undefined });
      expect((await keys.findByHash("a".repeat(64)))?.record).toEqual(record);
      expect(await keys.findByHash("b".repeat(64))).toBeUndefined();
      expect((await keys.findByPrefix("aip_abcdefgh")).map((key) => key.id)).toEqual(["key-1"]);
      await keys.insert(newKey({ id: "key-2", name: "root", hash: "c".repeat(64), isAdmin: true, models: undefined, budgetNanos: undefined, createdAt: Date.UTC(2026, 10, 3) }));
      expect((await keys.list({ admin: true })).map((key) => key.id)).toEqual(["key-2"]);
      const updated = await keys.update("key-1", { models: null, rpm: null, tpm: 100, budgetNanos: 7, budgetPeriod: "day", expiresAt: 99 });
      expect(updated).toMatchObject({ models: undefined, rpm: undefined, tpm: 100, budgetNanos: 7, budgetPeriod: "day", expiresAt: 99 });
      expect(await keys.update("missing", { rpm: 1 })).toBeUndefined();
      expect(await keys.revoke("key-1", 1234)).toBe(true);
      expect(await keys.revoke("key-1", 5678)).toBe(false);
      expect((await keys.get("key-1"))?.revokedAt).toBe(1234);
      expect((await keys.list({ includeRevoked: false })).map((key) => key.id)).toEqual(["key-2"]);
      // the hash is unique
      await expect(keys.insert(newKey({ id: "key-3" }))).rejects.toThrow();
      expect((await keys.list()).length).toBe(2);
    });

    it("api keys: conditional reservation never passes the budget, release books the cost, periods roll", async () => {
      const keys = createApiKeyRepository(test.database);
      await keys.insert(newKey({ id: "budget", hash: "d".repeat(64), budgetNanos: 100, budgetPeriod: "day", periodStart: 0 }));
      expect(await keys.reserve("budget", 60)).toBe(true);
      expect(await keys.reserve("budget", 41)).toBe(false);
      expect(await keys.reserve("budget", 40)).toBe(true);
      await keys.release("budget", 60, 25);
      expect(await keys.get("budget")).toMatchObject({ spentNanos: 25, reservedNanos: 40 });
      expect(await keys.rollPeriod("budget", "day", 86_400_000)).toBe(true);
      expect(await keys.rollPeriod("budget", "day", 86_400_000)).toBe(false);
      expect(await keys.rollPeriod("budget", "month", 2 * 86_400_000)).toBe(false);
      expect(await keys.get("budget")).toMatchObject({ spentNanos: 0, reservedNanos: 40, periodStart: 86_400_000 });
      await keys.revoke("budget", 1);
      expect(await keys.reserve("budget", 1)).toBe(false);
      expect(await keys.reserve("no-such-key", 1)).toBe(false);
    });

    it("prices: set (upsert), get, list, remove", async () => {
      let clock = 10;
      const prices = createPriceRepository(test.database, { now: () => clock });
      await prices.set("stories", { inputMicrosPerMillion: 1_500_000, outputMicrosPerMillion: 2_000_000 });
      clock = 20;
      const replaced = await prices.set("stories", { inputMicrosPerMillion: 3, outputMicrosPerMillion: 4 });
      expect(replaced).toEqual({ model: "stories", inputMicrosPerMillion: 3, outputMicrosPerMillion: 4, updatedAt: 20 });
      expect(await prices.get("stories")).toEqual(replaced);
      await prices.set("another", { inputMicrosPerMillion: 0, outputMicrosPerMillion: 0 });
      expect((await prices.list()).map((price) => price.model)).toEqual(["another", "stories"]);
      expect(await prices.remove("another")).toBe(true);
      expect(await prices.remove("another")).toBe(false);
      expect(await prices.get("another")).toBeUndefined();
    });

    it("usage records: pending, checkpoint, settle once, list and aggregate", async () => {
      const usage = createUsageRecordRepository(test.database);
      const base = { instanceId: "instance-1", route: undefined, endpoint: "chat.completions", reservedNanos: 10 };
      await usage.insertPending({ ...base, id: "u1", keyId: "k1", model: "m1", day: "2026-11-01", createdAt: Date.UTC(2026, 10, 1, 5) });
      await usage.insertPending({ ...base, id: "u2", keyId: "k1", model: "m2", day: "2026-11-01", createdAt: Date.UTC(2026, 10, 1, 6) });
      await usage.insertPending({ ...base, id: "u3", keyId: "k2", model: "m1", day: "2026-11-02", createdAt: Date.UTC(2026, 10, 2, 6), instanceId: "instance-2" });
      expect(await usage.checkpoint("u1", { inputTokens: 5, outputTokens: 1, route: "local", at: 7 })).toBe(true);
      expect(await usage.get("u1")).toMatchObject({ status: "pending", inputTokens: 5, outputTokens: 1, route: "local" });
      expect((await usage.listPending({ exceptInstanceId: "instance-2" })).map((row) => [row.id, row.instanceId, row.reservedNanos])).toEqual([
        ["u1", "instance-1", 10],
        ["u2", "instance-1", 10],
      ]);
      const settlement = { status: "ok" as const, cancelled: false, inputTokens: 5, outputTokens: 3, costNanos: 8, latencyMs: 12, error: undefined, finishedAt: 100 };
      expect(await usage.settle("u1", settlement)).toBe(true);
      expect(await usage.settle("u1", { ...settlement, costNanos: 999 })).toBe(false);
      expect(await usage.checkpoint("u1", { inputTokens: 50, outputTokens: 50, route: undefined, at: 8 })).toBe(false);
      expect(await usage.get("u1")).toMatchObject({ status: "ok", inputTokens: 5, outputTokens: 3, costNanos: 8, latencyMs: 12, route: "local", finishedAt: 100 });
      await usage.settle("u2", { ...settlement, status: "cancelled", cancelled: true, inputTokens: 2, outputTokens: undefined, costNanos: 3 });
      expect(await usage.get("u2")).toMatchObject({ status: "cancelled", cancelled: true, outputTokens: undefined });

      expect((await usage.list({ limit: 2 })).map((row) => row.id)).toEqual(["u3", "u2"]);
      expect((await usage.list({ keyId: "k1", since: Date.UTC(2026, 10, 1, 6) })).map((row) => row.id)).toEqual(["u2"]);

      const statuses = (counts: Partial<Record<"pending" | "ok" | "error" | "cancelled" | "interrupted", number>>) => ({
        pending: 0, ok: 0, error: 0, cancelled: 0, interrupted: 0, ...counts,
      });
      const ungrouped = { day: undefined, route: undefined, endpoint: undefined, status: undefined };
      const byKeyModel = await usage.aggregate(["key", "model"]);
      expect(byKeyModel).toEqual([
        { ...ungrouped, keyId: "k1", model: "m1", requests: 1, inputTokens: 5, outputTokens: 3, costNanos: 8, providerCostNanos: 8, cancelled: 0, statuses: statuses({ ok: 1 }) },
        { ...ungrouped, keyId: "k1", model: "m2", requests: 1, inputTokens: 2, outputTokens: 0, costNanos: 3, providerCostNanos: 3, cancelled: 1, statuses: statuses({ cancelled: 1 }) },
        { ...ungrouped, keyId: "k2", model: "m1", requests: 1, inputTokens: 0, outputTokens: 0, costNanos: 0, providerCostNanos: 0, cancelled: 0, statuses: statuses({ pending: 1 }) },
      ]);
      const byDay = await usage.aggregate(["day"], { until: Date.UTC(2026, 10, 2) });
      expect(byDay).toEqual([
        { ...ungrouped, keyId: undefined, model: undefined, day: "2026-11-01", requests: 2, inputTokens: 7, outputTokens: 3, costNanos: 11, providerCostNanos: 11, cancelled: 1, statuses: statuses({ ok: 1, cancelled: 1 }) },
      ]);
      expect((await usage.aggregate([]))[0]).toMatchObject({ requests: 3, costNanos: 11 });

      // A request that answered with an error: the key is charged nothing, the tokens and the provider cost stay.
      // Its two failed attempts (one with an unknown prompt count) are part of the provider cost only.
      await usage.settle("u3", {
        ...settlement,
        status: "error",
        inputTokens: 26,
        outputTokens: 4,
        costNanos: 0,
        providerCostNanos: 34,
        failedAttempts: 2,
        failedInputTokens: undefined,
        failedOutputTokens: 7,
        error: "UpstreamError: cut",
      });
      expect(await usage.get("u3")).toMatchObject({ status: "error", inputTokens: 26, outputTokens: 4, costNanos: 0, providerCostNanos: 34, failedAttempts: 2, failedInputTokens: undefined, failedOutputTokens: 7 });
      expect(await usage.get("u1")).toMatchObject({ costNanos: 8, providerCostNanos: 8, failedAttempts: 0, failedInputTokens: undefined, failedOutputTokens: undefined });
      const byStatus = await usage.aggregate(["status"]);
      expect(byStatus.map((row) => [row.status, row.requests, row.costNanos, row.providerCostNanos, row.statuses[row.status!]])).toEqual([
        ["cancelled", 1, 3, 3, 1],
        ["error", 1, 0, 34, 1],
        ["ok", 1, 8, 8, 1],
      ]);
      expect((await usage.aggregate([]))[0]).toMatchObject({ requests: 3, costNanos: 11, providerCostNanos: 45, statuses: statuses({ ok: 1, error: 1, cancelled: 1 }) });
    });

    it("instances: insert, heartbeat, list, remove", async () => {
      const instances = createInstanceRepository(test.database);
      await instances.insert({ id: "i1", kind: "server", pid: 42, hostname: "host", startedAt: 1, heartbeatAt: 1 });
      expect(await instances.heartbeat("i1", 50)).toBe(true);
      expect(await instances.get("i1")).toEqual({ id: "i1", kind: "server", pid: 42, hostname: "host", startedAt: 1, heartbeatAt: 50 });
      expect((await instances.list()).length).toBe(1);
      expect(await instances.remove("i1")).toBe(true);
      expect(await instances.heartbeat("i1", 60)).toBe(false);
    });
  });
}
