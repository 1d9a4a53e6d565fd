import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayOffsetSegments } from "../../src/maas/index.js";
import { type ApiKeyListQuery, createApiKeyRepository, createUsageRecordRepository, type NewApiKey } from "../../src/store/index.js";
import { type TestDatabase, testDatabaseFactories } from "./test-databases.js";

const now = Date.UTC(2026, 2, 15, 12);
const periodStarts = { day: Date.UTC(2026, 2, 15), week: Date.UTC(2026, 2, 9), month: Date.UTC(2026, 2, 1) };

function newKey(id: string, overrides: Partial<NewApiKey> = {}): NewApiKey {
  return {
    id,
    name: id,
    prefix: `aip_${id}`,
    hash: id.padEnd(64, "0"),
    isAdmin: false,
    models: undefined,
    rpm: undefined,
    tpm: undefined,
    budgetNanos: undefined,
    budgetPeriod: "month",
    periodStart: periodStarts.month,
    expiresAt: undefined,
    createdAt: Date.UTC(2026, 0, 1),
    ...overrides,
  };
}

/** Ledger requests around local midnights of UTC, Asia/Kolkata (+5:30) and America/Los_Angeles (PST −8 → PDT −7 on 2026-03-08 10:00 UTC). */
const boundaryRequests: Array<[id: string, iso: string, inputTokens: number]> = [
  ["r1", "2026-03-07T18:29:59.999Z", 1],
  ["r2", "2026-03-07T18:30:00.000Z", 2],
  ["r3", "2026-03-08T07:59:59.999Z", 4],
  ["r4", "2026-03-08T08:00:00.000Z", 8],
  ["r5", "2026-03-08T09:59:59.000Z", 16],
  ["r6", "2026-03-08T10:00:00.000Z", 32],
  ["r7", "2026-03-09T06:59:59.999Z", 64],
  ["r8", "2026-03-09T07:00:00.000Z", 128],
];

/** Input tokens per local day, worked out by hand from the list above. */
const expectedDays: Record<string, Record<string, number>> = {
  UTC: { "2026-03-07": 1 + 2, "2026-03-08": 4 + 8 + 16 + 32, "2026-03-09": 64 + 128 },
  "Asia/Kolkata": { "2026-03-07": 1, "2026-03-08": 2 + 4 + 8 + 16 + 32, "2026-03-09": 64 + 128 },
  "America/Los_Angeles": { "2026-03-07": 1 + 2 + 4, "2026-03-08": 8 + 16 + 32 + 64, "2026-03-09": 128 },
};

for (const factory of testDatabaseFactories) {
  describe(`key and usage listings on ${factory.dialect}`, () => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await factory.open();
      const keys = createApiKeyRepository(test.database);
      await keys.insert(newKey("alpha", { name: "Alpha", createdAt: Date.UTC(2026, 0, 1), budgetNanos: 10_000_000_000 }));
      await keys.insert(newKey("beta", { name: "beta team", createdAt: Date.UTC(2026, 0, 2), isAdmin: true }));
      await keys.insert(newKey("gamma", { name: "gamma_1", createdAt: Date.UTC(2026, 0, 3), expiresAt: Date.UTC(2026, 2, 1) }));
      await keys.insert(newKey("delta", { name: "delta 100%", createdAt: Date.UTC(2026, 0, 4), expiresAt: Date.UTC(2027, 0, 1) }));
      await keys.insert(newKey("epsilon", { name: "Epsilon", createdAt: Date.UTC(2026, 0, 5), budgetPeriod: "day", periodStart: Date.UTC(2026, 2, 14) }));
      await keys.insert(newKey("zeta", { name: "gammaX1", createdAt: Date.UTC(2026, 0, 6), budgetPeriod: "total", periodStart: Date.UTC(2026, 0, 6) }));
      expect(await keys.revoke("delta", Date.UTC(2026, 2, 2))).toBe(true);
      // Spend: alpha 3, beta 1, epsilon 9 but in yesterday's day period (spent nothing today), zeta 5 in total.
      await keys.release("alpha", 0, 3_000_000_000);
      await keys.release("beta", 0, 1_000_000_000);
      await keys.release("epsilon", 0, 9_000_000_000);
      await keys.release("zeta", 0, 5_000_000_000);

      const usage = createUsageRecordRepository(test.database);
      for (const [id, iso, inputTokens] of boundaryRequests) {
        const createdAt = Date.parse(iso);
        await usage.insertPending({ id, instanceId: "i1", keyId: id === "r8" ? "beta" : "alpha", model: id === "r1" ? "m2" : "m1", route: "local", endpoint: "chat.completions", reservedNanos: 0, day: iso.slice(0, 10), createdAt });
        await usage.settle(id, {
          status: id === "r3" ? "error" : "ok",
          cancelled: false,
          inputTokens,
          outputTokens: 1,
          costNanos: inputTokens * 1000,
          latencyMs: 5,
          error: id === "r3" ? "upstream failed" : undefined,
          finishedAt: createdAt + 5,
        });
      }
    });
    afterAll(async () => {
      await test?.close();
    });

    const page = (query: Partial<ApiKeyListQuery>) =>
      createApiKeyRepository(test.database).page({ sort: "created", order: "asc", limit: 100, offset: 0, now, periodStarts, ...query });
    const ids = async (query: Partial<ApiKeyListQuery>) => (await page(query)).records.map((record) => record.id);

    it("searches names and prefixes case-insensitively, with % and _ matched literally", async () => {
      expect(await ids({ search: "BETA" })).toEqual(["beta"]);
      expect(await ids({ search: "gamma_" })).toEqual(["gamma"]);
      expect(await ids({ search: "gamma" })).toEqual(["gamma", "zeta"]);
      expect(await ids({ search: "0%" })).toEqual(["delta"]);
      expect(await ids({ search: "aip_eps" })).toEqual(["epsilon"]);
      expect(await ids({ search: "nothing like it" })).toEqual([]);
    });

    it("filters by state at the given time and by admin", async () => {
      expect(await ids({ state: "revoked" })).toEqual(["delta"]);
      expect(await ids({ state: "expired" })).toEqual(["gamma"]);
      expect(await ids({ state: "active" })).toEqual(["alpha", "beta", "epsilon", "zeta"]);
      expect(await ids({ admin: true })).toEqual(["beta"]);
      expect(await ids({ admin: false, state: "active" })).toEqual(["alpha", "epsilon", "zeta"]);
      // Before gamma's expiry it is active.
      expect(await ids({ state: "active", now: Date.UTC(2026, 1, 1) })).toEqual(["alpha", "beta", "gamma", "epsilon", "zeta"]);
    });

    it("sorts by name, creation and current-period spend, both ways, with a stable tie-break", async () => {
      expect(await ids({ sort: "name" })).toEqual(["alpha", "beta", "delta", "epsilon", "gamma", "zeta"]);
      expect(await ids({ sort: "name", order: "desc" })).toEqual(["zeta", "gamma", "epsilon", "delta", "beta", "alpha"]);
      expect(await ids({ sort: "created", order: "desc" })).toEqual(["zeta", "epsilon", "delta", "gamma", "beta", "alpha"]);
      // epsilon's 9 belong to a day period that has ended: it has spent 0 now (ties ordered by creation, the same way).
      expect(await ids({ sort: "spend", order: "desc" })).toEqual(["zeta", "alpha", "beta", "epsilon", "delta", "gamma"]);
      expect(await ids({ sort: "spend" })).toEqual(["gamma", "delta", "epsilon", "beta", "alpha", "zeta"]);
    });

    it("pages with a total of everything the filter matches", async () => {
      const first = await page({ sort: "name", limit: 4 });
      expect(first.total).toBe(6);
      expect(first.records.map((record) => record.id)).toEqual(["alpha", "beta", "delta", "epsilon"]);
      const second = await page({ sort: "name", limit: 4, offset: 4 });
      expect(second).toMatchObject({ total: 6 });
      expect(second.records.map((record) => record.id)).toEqual(["gamma", "zeta"]);
      const filtered = await page({ state: "active", limit: 1, offset: 1 });
      expect(filtered.total).toBe(4);
      expect(filtered.records.map((record) => record.id)).toEqual(["beta"]);
      expect((await createApiKeyRepository(test.database).getMany(["beta", "alpha", "missing", "beta"])).map((record) => record.id).sort()).toEqual(["alpha", "beta"]);
    });

    it("finds the offset changes of a zone to the second", () => {
      expect(dayOffsetSegments("America/Los_Angeles", Date.parse("2026-03-07T00:00:00Z"), Date.parse("2026-03-10T00:00:00Z"))).toEqual([
        { from: undefined, offsetMs: -8 * 3_600_000 },
        { from: Date.parse("2026-03-08T10:00:00Z"), offsetMs: -7 * 3_600_000 },
      ]);
      expect(dayOffsetSegments("Asia/Kolkata", Date.parse("2026-01-01T00:00:00Z"), Date.parse("2026-12-31T00:00:00Z"))).toEqual([{ from: undefined, offsetMs: 19_800_000 }]);
      expect(dayOffsetSegments("America/Los_Angeles", Date.parse("2026-10-31T00:00:00Z"), Date.parse("2026-11-02T00:00:00Z"))).toEqual([
        { from: undefined, offsetMs: -7 * 3_600_000 },
        { from: Date.parse("2026-11-01T09:00:00Z"), offsetMs: -8 * 3_600_000 },
      ]);
    });

    for (const [timeZone, days] of Object.entries(expectedDays)) {
      it(`groups by local day in ${timeZone}, midnight to midnight`, async () => {
        const usage = createUsageRecordRepository(test.database);
        const range = await usage.timeRange({});
        expect(range).toEqual({ first: Date.parse("2026-03-07T18:29:59.999Z"), last: Date.parse("2026-03-09T07:00:00.000Z") });
        const dayOffsets = dayOffsetSegments(timeZone, range!.first, range!.last);
        const rows = await usage.aggregate(["day"], {}, { dayOffsets });
        expect(Object.fromEntries(rows.map((row) => [row.day, row.inputTokens]))).toEqual(days);
        expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(boundaryRequests.length);
        expect(rows.reduce((sum, row) => sum + row.costNanos, 0)).toBe(255_000);
        // With another grouping too, ordered by day then model: r1 (model m2) is on 03-07 in every zone.
        const byDayModel = await usage.aggregate(["day", "model"], {}, { dayOffsets });
        expect(byDayModel.filter((row) => row.model === "m2").map((row) => [row.day, row.inputTokens])).toEqual([["2026-03-07", 1]]);
        expect(byDayModel.map((row) => `${row.day} ${row.model}`)).toEqual(byDayModel.map((row) => `${row.day} ${row.model}`).sort());
        for (const row of rows) {
          expect(byDayModel.filter((entry) => entry.day === row.day).reduce((sum, entry) => sum + entry.inputTokens, 0)).toBe(row.inputTokens);
        }
      });
    }

    it("a zero offset gives the stored UTC days", async () => {
      const usage = createUsageRecordRepository(test.database);
      const stored = await usage.aggregate(["day", "key"]);
      const computed = await usage.aggregate(["day", "key"], {}, { dayOffsets: [{ from: undefined, offsetMs: 0 }] });
      expect(computed).toEqual(stored);
      expect(stored.map((row) => [row.day, row.keyId, row.requests])).toEqual([
        ["2026-03-07", "alpha", 2],
        ["2026-03-08", "alpha", 4],
        ["2026-03-09", "alpha", 1],
        ["2026-03-09", "beta", 1],
      ]);
    });

    it("pages raw records newest first with a total, filtered by status, model and key", async () => {
      const usage = createUsageRecordRepository(test.database);
      const first = await usage.page({}, { limit: 3, offset: 0 });
      expect(first.total).toBe(8);
      expect(first.records.map((record) => record.id)).toEqual(["r8", "r7", "r6"]);
      const last = await usage.page({}, { limit: 3, offset: 6 });
      expect(last.records.map((record) => record.id)).toEqual(["r2", "r1"]);
      const errors = await usage.page({ status: "error" }, { limit: 10, offset: 0 });
      expect(errors).toMatchObject({ total: 1, records: [{ id: "r3", error: "upstream failed" }] });
      expect((await usage.page({ model: "m2" }, { limit: 10, offset: 0 })).records.map((record) => record.id)).toEqual(["r1"]);
      expect((await usage.page({ keyId: "beta", since: Date.parse("2026-03-09T00:00:00Z") }, { limit: 10, offset: 0 })).total).toBe(1);
      expect((await usage.aggregate([], { status: "ok" }))[0]?.requests).toBe(7);
      expect(await usage.timeRange({ model: "no such model" })).toBeUndefined();
    });
  });
}
