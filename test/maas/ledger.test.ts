import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMaas, type KeyPrincipal, type Maas } from "../../src/maas/index.js";
import { AuthenticationError, RateLimitError } from "../../src/spec/index.js";
import { createUsageRecordRepository } from "../../src/store/index.js";
import { type TestDatabase, testDatabaseFactories } from "../store/test-databases.js";

const secret = "ledger-secret-0123456789";

for (const factory of testDatabaseFactories) {
  describe(`metered ledger on ${factory.dialect}`, () => {
    let test: TestDatabase;
    let clock: number;
    let maas: Maas;
    let idCounter = 0;
    beforeAll(async () => {
      test = await factory.open();
    });
    afterAll(async () => {
      await maas?.dispose();
      await test?.close();
    });
    beforeEach(async () => {
      await maas?.dispose();
      clock = Date.UTC(2026, 10, 15, 12);
      maas = createMaas({ database: test.database, keySecret: secret, now: () => clock, generateId: () => `id-${factory.dialect}-${++idCounter}`, recoveryIntervalMs: 0 });
      // $1 per 1M input tokens (1000 nanos a token), $2 per 1M output tokens (2000 nanos a token).
      await maas.prices.set("priced", { inputDollarsPerMillion: 1, outputDollarsPerMillion: 2 });
    });

    async function newPrincipal(input: Parameters<Maas["keys"]["create"]>[0]): Promise<KeyPrincipal> {
      const { key } = await maas.keys.create(input);
      return maas.authenticate(key);
    }

    it("50 concurrent requests never reserve more than the budget; settling books exact costs", async () => {
      // Each request reserves 100 × 1000 + 200 × 2000 = 500_000 nanos; the budget holds 10.4 of them.
      const principal = await newPrincipal({ name: "concurrent", budget: 0.0052 });
      const attempts = await Promise.allSettled(
        Array.from({ length: 50 }, () =>
          maas.openMeteredRequest({ principal, model: "priced", endpoint: "chat.completions", maxInputTokens: 100, maxOutputTokens: 200 }),
        ),
      );
      const opened = attempts.flatMap((attempt) => (attempt.status === "fulfilled" ? [attempt.value] : []));
      const refused = attempts.flatMap((attempt) => (attempt.status === "rejected" ? [attempt.reason as unknown] : []));
      expect(opened).toHaveLength(10);
      expect(refused).toHaveLength(40);
      for (const error of refused) {
        expect(error).toBeInstanceOf(RateLimitError);
        expect((error as RateLimitError).limit).toBe("budget");
        expect((error as RateLimitError).type).toBe("insufficient_quota");
        // Until the month ends: 2026-12-01 minus 2026-11-15T12:00.
        expect((error as RateLimitError).retryAfterSeconds).toBe((Date.UTC(2026, 11, 1) - clock) / 1000);
      }
      expect(opened.every((request) => request.reservedNanos === 500_000)).toBe(true);
      let key = await maas.keys.get(principal.id);
      expect(key).toMatchObject({ reservedNanos: 5_000_000, spentNanos: 0 });
      expect(await createUsageRecordRepository(test.database).listPending()).toHaveLength(10);

      await Promise.all(opened.map((request) => request.settle({ usage: { inputTokens: 50, outputTokens: 100 }, status: "ok" })));
      key = await maas.keys.get(principal.id);
      expect(key).toMatchObject({ reservedNanos: 0, spentNanos: 10 * (50 * 1000 + 100 * 2000) });
      const records = await maas.usage.list({ keyId: principal.id });
      expect(records).toHaveLength(10);
      expect(records.every((record) => record.status === "ok" && record.costNanos === 250_000 && record.inputTokens === 50)).toBe(true);

      // 5_200_000 - 2_500_000 leaves room for exactly 5 more reservations.
      const more = await Promise.allSettled(
        Array.from({ length: 8 }, () => maas.openMeteredRequest({ principal, model: "priced", endpoint: "chat.completions", maxInputTokens: 100, maxOutputTokens: 200 })),
      );
      expect(more.filter((attempt) => attempt.status === "fulfilled")).toHaveLength(5);
      for (const attempt of more) if (attempt.status === "fulfilled") await attempt.value.settle({ usage: { inputTokens: 0, outputTokens: 0 }, status: "cancelled" });
      expect(await maas.keys.get(principal.id)).toMatchObject({ reservedNanos: 0, spentNanos: 2_500_000 });
    });

    it("checkpoints progress, settles exactly once, and bills unknown tokens as nothing", async () => {
      const principal = await newPrincipal({ name: "once" });
      const request = await maas.openMeteredRequest({ principal, model: "priced", endpoint: "chat.completions", maxInputTokens: 10, maxOutputTokens: 10 });
      request.setRoute("local");
      await request.checkpoint({ inputTokens: 10, outputTokens: 1 });
      await Promise.all([request.checkpoint({ inputTokens: 10, outputTokens: 2 }), request.checkpoint({ inputTokens: 10, outputTokens: 3 })]);
      const usageRecords = createUsageRecordRepository(test.database);
      expect(await usageRecords.get(request.id)).toMatchObject({ status: "pending", inputTokens: 10, outputTokens: 3, route: "local" });
      expect(await maas.keys.get(principal.id)).toMatchObject({ reservedNanos: 10 * 1000 + 10 * 2000 });
      clock += 250;
      await Promise.all([
        request.settle({ usage: { inputTokens: 10, outputTokens: undefined }, status: "cancelled" }),
        request.settle({ usage: { inputTokens: 10, outputTokens: 9 }, status: "ok" }),
      ]);
      await request.settle({ usage: { inputTokens: 999, outputTokens: 999 }, status: "error", error: "late" });
      expect(await usageRecords.get(request.id)).toMatchObject({ status: "cancelled", cancelled: true, inputTokens: 10, outputTokens: undefined, costNanos: 10_000, latencyMs: 250, route: "local", finishedAt: clock });
      expect(await maas.keys.get(principal.id)).toMatchObject({ reservedNanos: 0, spentNanos: 10_000 });
      // Late checkpoints do not reopen a settled record.
      await request.checkpoint({ inputTokens: 1, outputTokens: 1 });
      expect((await usageRecords.get(request.id))?.outputTokens).toBeUndefined();
    });

    it("a request the client got only an error for charges the key nothing but keeps its tokens and provider cost", async () => {
      const principal = await newPrincipal({ name: "failed", budget: 1 });
      const failed = await maas.openMeteredRequest({ principal, model: "priced", endpoint: "chat.completions", maxInputTokens: 26, maxOutputTokens: 100 });
      await failed.settle({ usage: { inputTokens: 26, outputTokens: 4 }, status: "error", error: "UpstreamError: cut", charged: false });
      const interrupted = await maas.openMeteredRequest({ principal, model: "priced", endpoint: "chat.completions", maxInputTokens: 10, maxOutputTokens: 100 });
      await interrupted.settle({ usage: { inputTokens: 10, outputTokens: 7 }, status: "interrupted", error: "shutdown" });
      const usageRecords = createUsageRecordRepository(test.database);
      expect(await usageRecords.get(failed.id)).toMatchObject({ status: "error", inputTokens: 26, outputTokens: 4, costNanos: 0, providerCostNanos: 26 * 1000 + 4 * 2000 });
      expect(await usageRecords.get(interrupted.id)).toMatchObject({ status: "interrupted", costNanos: 24_000, providerCostNanos: 24_000 });
      expect(await maas.keys.get(principal.id)).toMatchObject({ reservedNanos: 0, spentNanos: 24_000 });
      const [total] = await maas.usage.aggregate({ by: [], keyId: principal.id });
      expect(total).toMatchObject({ requests: 2, costNanos: 24_000, providerCostNanos: 58_000, providerCostDollars: 0.000058, statuses: { pending: 0, ok: 0, error: 1, cancelled: 0, interrupted: 1 } });
    });

    it("failed attempts the gateway abandoned are provider cost only, for keys and for the local operator", async () => {
      const principal = await newPrincipal({ name: "attempts", budget: 1 });
      const request = await maas.openMeteredRequest({ principal, model: "priced", endpoint: "chat.completions", maxInputTokens: 20, maxOutputTokens: 100 });
      const failedAttempts = [
        { inputTokens: 20, outputTokens: 4 },
        { inputTokens: undefined, outputTokens: undefined }, // failed before streaming anything
        { inputTokens: 20, outputTokens: 6 },
      ];
      await request.settle({ usage: { inputTokens: 20, outputTokens: 3 }, status: "ok", failedAttempts });
      const usageRecords = createUsageRecordRepository(test.database);
      const answered = 20 * 1000 + 3 * 2000;
      expect(await usageRecords.get(request.id)).toMatchObject({
        status: "ok",
        costNanos: answered,
        providerCostNanos: answered + 40 * 1000 + 10 * 2000,
        failedAttempts: 3,
        failedInputTokens: 40,
        failedOutputTokens: 10,
      });
      expect(await maas.keys.get(principal.id)).toMatchObject({ reservedNanos: 0, spentNanos: answered });

      const operator = await maas.openOperatorRequest({ model: "priced", endpoint: "completions" });
      await operator.settle({ usage: { inputTokens: undefined, outputTokens: undefined }, status: "error", error: "UpstreamError: cut", failedAttempts: [{ inputTokens: 5, outputTokens: 2 }] });
      expect(await usageRecords.get(operator.id)).toMatchObject({ keyId: undefined, costNanos: 0, providerCostNanos: 5 * 1000 + 2 * 2000, failedAttempts: 1, failedInputTokens: 5, failedOutputTokens: 2 });
    });

    it("unpriced models are free and keys without a budget are never refused", async () => {
      const principal = await newPrincipal({ name: "free" });
      const request = await maas.openMeteredRequest({ principal, model: "local-model", endpoint: "embeddings", maxInputTokens: 1e6, maxOutputTokens: 0 });
      expect(request.reservedNanos).toBe(0);
      await request.settle({ usage: { inputTokens: 12, outputTokens: 0 }, status: "ok" });
      expect(await maas.keys.get(principal.id)).toMatchObject({ spentNanos: 0, reservedNanos: 0 });
      expect((await maas.usage.list({ keyId: principal.id }))[0]).toMatchObject({ model: "local-model", endpoint: "embeddings", costNanos: 0 });
    });

    it("rolls the budget period over and refuses a revoked key", async () => {
      // $0.0003 a day: room for exactly one reservation of 100 × 1000 + 100 × 2000 = 300_000 nanos.
      const principal = await newPrincipal({ name: "daily", budget: 0.0003, budgetPeriod: "day" });
      const open = () => maas.openMeteredRequest({ principal, model: "priced", endpoint: "completions", maxInputTokens: 100, maxOutputTokens: 100 });
      const first = await open();
      await first.settle({ usage: { inputTokens: 100, outputTokens: 50 }, status: "ok" }); // 200_000 nanos
      const refused = await open().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RateLimitError);
      expect((refused as RateLimitError).retryAfterSeconds).toBe(12 * 3600);
      clock = Date.UTC(2026, 10, 16, 0, 0, 1);
      const nextDay = await open();
      expect(await maas.keys.get(principal.id)).toMatchObject({ spentNanos: 0, reservedNanos: 300_000, periodStart: Date.UTC(2026, 10, 16) });
      await nextDay.settle({ usage: { inputTokens: 1, outputTokens: 1 }, status: "ok" });
      expect(await maas.keys.get(principal.id)).toMatchObject({ spentNanos: 3000, reservedNanos: 0 });
      await maas.keys.revoke(principal.id);
      await expect(open()).rejects.toBeInstanceOf(AuthenticationError);
      expect(await maas.usage.list({ keyId: principal.id })).toHaveLength(2);
    });

    it("recovers requests of an instance whose heartbeat went stale, without double billing", async () => {
      const principal = await newPrincipal({ name: "stale", budget: 1 });
      const crashed = await maas.openMeteredRequest({ principal, model: "priced", endpoint: "chat.completions", maxInputTokens: 100, maxOutputTokens: 100 });
      await crashed.checkpoint({ inputTokens: 40, outputTokens: 7 });
      const survivor = createMaas({ database: test.database, keySecret: secret, now: () => clock, recoveryIntervalMs: 0, generateId: () => `survivor-${factory.dialect}-${++idCounter}` });
      try {
        await survivor.registerInstance();
        // The first instance is still alive: nothing to recover.
        expect((await survivor.recoverInterruptedRequests()).recovered).toEqual([]);
        clock += 31_000; // its heartbeat is now older than 30 s (its timer never ran: 5 s real time has not passed)
        const recovery = await survivor.recoverInterruptedRequests();
        expect(recovery.recovered).toEqual([crashed.id]);
        expect(recovery.removedInstances).toHaveLength(1);
        expect(await createUsageRecordRepository(test.database).get(crashed.id)).toMatchObject({ status: "interrupted", inputTokens: 40, outputTokens: 7, costNanos: 40_000 + 14_000 });
        expect(await maas.keys.get(principal.id)).toMatchObject({ reservedNanos: 0, spentNanos: 54_000 });
        // The original owner settling late changes nothing.
        await crashed.settle({ usage: { inputTokens: 100, outputTokens: 100 }, status: "ok" });
        expect(await maas.keys.get(principal.id)).toMatchObject({ reservedNanos: 0, spentNanos: 54_000 });
        expect((await survivor.recoverInterruptedRequests()).recovered).toEqual([]);
      } finally {
        await survivor.dispose();
      }
    });

    it("aggregates usage by key, model and day with since/until", async () => {
      const alice = await newPrincipal({ name: "report-alice" });
      const bob = await newPrincipal({ name: "report-bob" });
      const run = async (principal: KeyPrincipal, model: string, at: number, usage: { inputTokens: number; outputTokens: number }, status: "ok" | "cancelled" = "ok") => {
        clock = at;
        const request = await maas.openMeteredRequest({ principal, model, endpoint: "chat.completions", maxInputTokens: 1000, maxOutputTokens: 1000 });
        await request.settle({ usage, status });
      };
      const day1 = Date.UTC(2026, 10, 20, 10);
      const day2 = Date.UTC(2026, 10, 21, 10);
      await run(alice, "priced", day1, { inputTokens: 10, outputTokens: 5 });
      await run(alice, "priced", day1 + 1000, { inputTokens: 20, outputTokens: 5 }, "cancelled");
      await run(alice, "free", day2, { inputTokens: 1, outputTokens: 1 });
      await run(bob, "priced", day2, { inputTokens: 100, outputTokens: 0 });
      const since = "2026-11-20";
      const rows = await maas.usage.aggregate({ by: ["key", "model", "day"], since });
      const table = rows.map((row) => [row.keyName, row.model, row.day, row.requests, row.inputTokens, row.outputTokens, row.costNanos, row.cancelled]);
      expect(table).toHaveLength(3);
      expect(table).toEqual(
        expect.arrayContaining([
          ["report-alice", "free", "2026-11-21", 1, 1, 1, 0, 0],
          ["report-alice", "priced", "2026-11-20", 2, 30, 10, 50_000, 1],
          ["report-bob", "priced", "2026-11-21", 1, 100, 0, 100_000, 0],
        ]),
      );
      // Ordered by the grouping columns.
      const order = rows.map((row) => `${row.keyId}|${row.model}|${row.day}`);
      expect(order).toEqual([...order].sort());
      const byModel = await maas.usage.aggregate({ by: ["model"], since, until: "2026-11-21" });
      expect(byModel).toEqual([
        expect.objectContaining({ model: "priced", requests: 2, inputTokens: 30, outputTokens: 10, costNanos: 50_000, costDollars: 0.00005, cancelled: 1, keyId: undefined, day: undefined }),
      ]);
      await expect(maas.usage.aggregate({ by: ["colour" as "key"] })).rejects.toThrow(/by must list/);
      await expect(maas.usage.aggregate({ by: ["day"], since: "not a date" })).rejects.toThrow(/since must be a date/);
      expect(await maas.usage.list({ since, limit: 2 })).toHaveLength(2);
    });
  });
}
