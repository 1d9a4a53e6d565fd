import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createPlatform, type Platform } from "../../src/platform/index.js";
import { chatDelta, chatFinish, FakeUpstream, respondJson, respondSse, usageChunk } from "../gateway/fake-upstream.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";

type Answer = { status: number; body: any; text: string; headers: Headers };
type Totals = { requests: number; input_tokens: number; output_tokens: number; cost: number };
type LedgerRecord = { key_id: string | null; model: string; status: string; input_tokens: number | null; output_tokens: number | null; cost: number; created_at: number };

const at = (iso: string) => Date.parse(iso);
const seconds = (iso: string) => at(iso) / 1000;

/**
 * Requests at known times around local midnights of UTC, Asia/Kolkata (+5:30) and America/Los_Angeles (PST −8,
 * PDT −7 from 2026-03-08 10:00 UTC): [time, who, model, prompt tokens]. Prompt tokens are powers of two, so a
 * day's sum says exactly which requests it holds.
 */
const requests: Array<[string, "alice" | "bob", "remote-a" | "remote-b", number]> = [
  ["2026-03-06T23:00:00.000Z", "bob", "remote-a", 256],
  ["2026-03-07T18:29:59.000Z", "alice", "remote-a", 1],
  ["2026-03-07T18:30:00.000Z", "alice", "remote-b", 2],
  ["2026-03-08T07:59:59.000Z", "bob", "remote-a", 4],
  ["2026-03-08T08:00:00.000Z", "alice", "remote-a", 8],
  ["2026-03-08T10:00:00.000Z", "alice", "remote-b", 16],
  ["2026-03-09T06:59:59.000Z", "bob", "remote-b", 32],
  ["2026-03-09T07:00:00.000Z", "alice", "remote-a", 64],
  ["2026-03-10T00:00:00.000Z", "alice", "remote-a", 128],
];

/**
 * For `since=2026-03-07&until=2026-03-10` in each zone, worked out by hand: the local midnights starting 03-07, 03-08,
 * 03-09 and 03-10, and each local day's prompt tokens (of every key).
 */
const expectedDays: Record<string, { midnights: [string, string, string, string]; days: Record<string, number> }> = {
  UTC: {
    midnights: ["2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z"],
    days: { "2026-03-07": 1 + 2, "2026-03-08": 4 + 8 + 16, "2026-03-09": 32 + 64 },
  },
  "Asia/Kolkata": {
    midnights: ["2026-03-06T18:30:00Z", "2026-03-07T18:30:00Z", "2026-03-08T18:30:00Z", "2026-03-09T18:30:00Z"],
    days: { "2026-03-07": 256 + 1, "2026-03-08": 2 + 4 + 8 + 16, "2026-03-09": 32 + 64 },
  },
  "America/Los_Angeles": {
    midnights: ["2026-03-07T08:00:00Z", "2026-03-08T08:00:00Z", "2026-03-09T07:00:00Z", "2026-03-10T07:00:00Z"],
    days: { "2026-03-07": 1 + 2 + 4, "2026-03-08": 8 + 16 + 32, "2026-03-09": 64 + 128 },
  },
};

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`keys listing and usage reports on ${dialect}`, () => {
    let clock = at("2026-03-15T12:00:00Z");
    let platform: Platform;
    let url: string;
    let home: string;
    let upstream: FakeUpstream;
    let postgres: TestPostgres | undefined;
    const adminKey = `aip_test_admin_${Math.random().toString(36).slice(2)}_0123456789`;
    const keys: Record<"alice" | "bob", { id: string; key: string }> = {} as never;

    async function call(method: string, route: string, options: { key?: string; body?: unknown } = {}): Promise<Answer> {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: { authorization: `Bearer ${options.key ?? adminKey}`, ...(options.body === undefined ? {} : { "content-type": "application/json" }) },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: response.status, body, text, headers: response.headers };
    }
    const get = (route: string, key?: string) => call("GET", route, { key });
    const expectError = async (answer: Promise<Answer>, status: number, param: string) => {
      const { status: actual, body, text } = await answer;
      expect(actual, text).toBe(status);
      expect(body.error.param, text).toBe(param);
      expect(typeof body.error.message).toBe("string");
    };

    async function chat(key: string, model: string, promptTokens: number, time: number): Promise<void> {
      const realNow = clock;
      clock = time;
      try {
        upstream.fallback = respondSse([chatDelta("ok"), chatFinish("stop"), usageChunk({ prompt_tokens: promptTokens, completion_tokens: 1 })]);
        const answer = await call("POST", "/v1/chat/completions", { key, body: { model, messages: [{ role: "user", content: "hi" }], max_tokens: 4 } });
        expect(answer.status, answer.text).toBe(200);
      } finally {
        clock = realNow;
      }
    }

    /** The ledger's own totals over [since, until) (unix seconds), from raw records. */
    async function ledger(since: number, until: number, keyId?: string): Promise<Totals> {
      const answer = await get(`/v1/admin/usage/records?limit=100000&since=${since}&until=${until}${keyId ? `&key_id=${keyId}` : ""}`);
      expect(answer.status).toBe(200);
      const records = answer.body.data as LedgerRecord[];
      return {
        requests: records.length,
        input_tokens: records.reduce((sum, record) => sum + (record.input_tokens ?? 0), 0),
        output_tokens: records.reduce((sum, record) => sum + (record.output_tokens ?? 0), 0),
        cost: Math.round(records.reduce((sum, record) => sum + record.cost, 0) * 1e9) / 1e9,
      };
    }
    const totalsOf = (row: Totals): Totals => ({ requests: row.requests, input_tokens: row.input_tokens, output_tokens: row.output_tokens, cost: Math.round(row.cost * 1e9) / 1e9 });

    beforeAll(async () => {
      home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-keys-usage-"));
      postgres = dialect === "postgres" ? await startTestPostgres() : undefined;
      const config = loadConfig({
        environment: {},
        flags: { home, port: 0, threads: 1, gpu: "cpu", logLevel: "silent", adminKey, drainSeconds: 2, retryAttempts: 0, ...(postgres ? { databaseUrl: postgres.url } : {}) },
      });
      platform = await createPlatform({ config, logger: pino({ level: "silent" }), now: () => clock });
      url = (await platform.start()).url;
      upstream = await FakeUpstream.start();
      expect((await call("POST", "/v1/admin/providers", { body: { name: "fake", base_url: upstream.baseUrl, api_key: "sk-x", models: ["remote-a", "remote-b"], priority: 1 } })).status).toBe(201);
      expect((await call("PUT", "/v1/admin/prices/remote-a", { body: { input_per_million: 1000, output_per_million: 2000 } })).status).toBe(200);
      expect((await call("PUT", "/v1/admin/prices/remote-b", { body: { input_per_million: 3000, output_per_million: 7000 } })).status).toBe(200);
      for (const name of ["alice", "bob"] as const) {
        const created = await call("POST", "/v1/admin/keys", { body: { name: `usage ${name}`, budget: 100 } });
        expect(created.status).toBe(201);
        keys[name] = created.body;
      }
      for (const [time, who, model, tokens] of requests) await chat(keys[who].key, model, tokens, at(time));
      // A failed request (the upstream refuses): in the ledger with status error, charged nothing.
      const realNow = clock;
      clock = at("2026-03-08T12:00:00Z");
      upstream.fallback = respondJson(400, { error: { message: "upstream says no", type: "invalid_request_error" } });
      const failed = await call("POST", "/v1/chat/completions", { key: keys.alice.key, body: { model: "remote-b", messages: [{ role: "user", content: "hi" }], max_tokens: 4 } });
      expect(failed.status, failed.text).toBe(502);
      clock = realNow;
    }, 120_000);

    afterAll(async () => {
      await platform?.dispose();
      await upstream?.stop();
      await postgres?.stop();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    describe("GET /v1/usage", () => {
      for (const [timeZone, expected] of Object.entries(expectedDays)) {
        it(`groups days midnight to midnight in ${timeZone}, each day equal to the ledger`, async () => {
          const tz = encodeURIComponent(timeZone);
          const report = await get(`/v1/usage?by=day&tz=${tz}&since=2026-03-07&until=2026-03-10`);
          expect(report.status, report.text).toBe(200);
          const [since, , , until] = expected.midnights.map(seconds) as [number, number, number, number];
          expect(report.body).toMatchObject({ object: "list", time_zone: timeZone, scope: "all_keys", by: ["day"], since, until });
          const rows = report.body.data as Array<Totals & { day: string }>;
          expect(Object.fromEntries(rows.map((row) => [row.day, row.input_tokens]))).toEqual(expected.days);
          expect(rows.map((row) => row.day)).toEqual(["2026-03-07", "2026-03-08", "2026-03-09"]);
          for (const [index, row] of rows.entries()) {
            expect(totalsOf(row), row.day).toEqual(await ledger(seconds(expected.midnights[index]!), seconds(expected.midnights[index + 1]!)));
          }
          const whole = await ledger(since, until);
          expect(totalsOf(report.body.totals)).toEqual(whole);
          expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(whole.requests);
          // The admin report takes the same zone.
          const adminReport = await get(`/v1/admin/usage?by=day&tz=${tz}&since=2026-03-07&until=2026-03-10`);
          expect(Object.fromEntries((adminReport.body.data as Array<{ day: string; input_tokens: number }>).map((row) => [row.day, row.input_tokens]))).toEqual(expected.days);
        });
      }

      it("splits by model and key with totals equal to the ledger, the failed request counted but not charged", async () => {
        const byModel = await get("/v1/usage?by=model&tz=Asia/Kolkata&since=2026-03-01&until=2026-04-01");
        expect(byModel.status).toBe(200);
        const whole = await ledger(seconds("2026-02-28T18:30:00Z"), seconds("2026-03-31T18:30:00Z"));
        expect(whole.requests).toBe(requests.length + 1);
        expect(totalsOf(byModel.body.totals)).toEqual(whole);
        expect((byModel.body.data as Array<{ model: string; requests: number; statuses: Record<string, number> }>).map((row) => [row.model, row.requests, row.statuses.error])).toEqual([
          ["remote-a", 6, 0],
          ["remote-b", 4, 1],
        ]);
        const byKey = await get("/v1/usage?by=key&tz=Asia/Kolkata&since=2026-03-01&until=2026-04-01");
        expect((byKey.body.data as Array<{ key_id: string; key_name: string; requests: number }>).map((row) => [row.key_name, row.requests]).sort()).toEqual([
          ["usage alice", 7],
          ["usage bob", 3],
        ]);
        expect(totalsOf(byKey.body.totals)).toEqual(whole);
        const errorsOnly = await get("/v1/usage?by=model&status=error");
        expect(errorsOnly.body.totals).toMatchObject({ requests: 1, cost: 0 });
      });

      it("scopes a user key to its own usage and refuses another key's", async () => {
        const own = await get("/v1/usage?by=day,model&tz=America/Los_Angeles&since=2026-03-07&until=2026-03-10", keys.alice.key);
        expect(own.status, own.text).toBe(200);
        expect(own.body.scope).toBe("key");
        expect(totalsOf(own.body.totals)).toEqual(await ledger(seconds("2026-03-07T08:00:00Z"), seconds("2026-03-10T07:00:00Z"), keys.alice.id));
        // 1 + 2 on 03-07, 8 + 16 (+ the failed request's 0) on 03-08, 64 + 128 on 03-09.
        expect((own.body.data as Array<{ day: string; model: string; input_tokens: number }>).map((row) => [row.day, row.model, row.input_tokens])).toEqual([
          ["2026-03-07", "remote-a", 1],
          ["2026-03-07", "remote-b", 2],
          ["2026-03-08", "remote-a", 8],
          ["2026-03-08", "remote-b", 16],
          ["2026-03-09", "remote-a", 192],
        ]);
        expect((await get(`/v1/usage?key_id=${keys.alice.id}`, keys.alice.key)).status).toBe(200);
        await expectError(get(`/v1/usage?key_id=${keys.bob.id}`, keys.alice.key), 403, "key_id");
        const byKey = await get("/v1/usage?by=key", keys.bob.key);
        expect(byKey.body.data).toEqual([expect.objectContaining({ key_id: keys.bob.id, key_name: "usage bob", requests: 3 })]);
        expect(JSON.stringify(byKey.body)).not.toContain("provider_cost");
      });

      it("answers bad parameters with 400 naming them", async () => {
        await expectError(get("/v1/usage?tz=Mars/Olympus_Mons"), 400, "tz");
        await expectError(get("/v1/usage?by=day,route"), 400, "by");
        await expectError(get("/v1/usage?since=yesterday"), 400, "since");
        await expectError(get("/v1/usage?since=2026-03-10&until=2026-03-10"), 400, "until");
        await expectError(get("/v1/usage?status=done"), 400, "status");
        await expectError(get("/v1/usage?bye=day"), 400, "bye");
        await expectError(get("/v1/admin/usage?by=day&tz=Nowhere/Land"), 400, "tz");
        await expectError(get("/v1/usage/records?limit=0"), 400, "limit");
        await expectError(get("/v1/usage/records?limit=501"), 400, "limit");
        await expectError(get("/v1/usage/records?offset=-1"), 400, "offset");
        await expectError(get("/v1/usage/export?format=xlsx"), 400, "format");
      });
    });

    describe("GET /v1/usage/records", () => {
      it("pages the request log newest first with a total, filtered by status, model and key, with key names", async () => {
        const first = await get("/v1/usage/records?limit=4&since=2026-03-01&until=2026-04-01");
        expect(first.status, first.text).toBe(200);
        expect(first.body).toMatchObject({ object: "list", total: requests.length + 1, has_more: true });
        const created = (first.body.data as Array<{ created_at: number }>).map((record) => record.created_at);
        expect(created).toEqual([...created].sort((a, b) => b - a));
        expect(first.body.data[0]).toMatchObject({ object: "usage.record", key_name: "usage alice", model: "remote-a", input_tokens: 128, status: "ok", created_at: seconds("2026-03-10T00:00:00Z") });
        const last = await get("/v1/usage/records?limit=4&offset=8&since=2026-03-01&until=2026-04-01");
        expect(last.body).toMatchObject({ total: requests.length + 1, has_more: false });
        expect(last.body.data).toHaveLength(2);
        const seen = new Set([...first.body.data, ...last.body.data].map((record: { id: string }) => record.id));
        expect(seen.size).toBe(6);
        const errors = await get("/v1/usage/records?status=error");
        expect(errors.body).toMatchObject({ total: 1, data: [{ status: "error", model: "remote-b", cost: 0, key_id: keys.alice.id }] });
        expect(errors.body.data[0].error).toContain("upstream says no");
        expect((await get("/v1/usage/records?model=remote-b&limit=500")).body.total).toBe(4);
        const bobs = await get(`/v1/usage/records?key_id=${keys.bob.id}`);
        expect(bobs.body.total).toBe(3);
        // A user key sees only its own requests.
        const own = await get("/v1/usage/records?limit=500", keys.bob.key);
        expect(own.body.total).toBe(3);
        expect(new Set((own.body.data as Array<{ key_id: string }>).map((record) => record.key_id))).toEqual(new Set([keys.bob.id]));
      });
    });

    describe("GET /v1/usage/export", () => {
      it("downloads the report as CSV whose columns sum to the ledger's totals", async () => {
        const exported = await get("/v1/usage/export?format=csv&by=day,model,key&tz=America/Los_Angeles&since=2026-03-07&until=2026-03-10");
        expect(exported.status, exported.text).toBe(200);
        expect(exported.headers.get("content-type")).toBe("text/csv; charset=utf-8");
        expect(exported.headers.get("content-disposition")).toMatch(/^attachment; filename="aiplus-usage-day-model-key-from-\d+-to-\d+\.csv"$/);
        const [header, ...lines] = exported.text.trimEnd().split("\r\n");
        expect(header).toBe("day,model,key_id,key_name,key_prefix,requests,input_tokens,output_tokens,cost,status_ok,status_error,status_cancelled,status_interrupted,status_pending");
        const rows = lines.map((line) => line.split(","));
        const sum = (column: number) => rows.reduce((total, row) => total + Number(row[column]), 0);
        const whole = await ledger(seconds("2026-03-07T08:00:00Z"), seconds("2026-03-10T07:00:00Z"));
        expect({ requests: sum(5), input_tokens: sum(6), output_tokens: sum(7), cost: Math.round(sum(8) * 1e9) / 1e9 }).toEqual(whole);
        expect(rows.every((row) => /^\d+\.\d{9}$/.test(row[8]!))).toBe(true);
        expect(rows.map((row) => row[0])).toEqual([...rows.map((row) => row[0])].sort());
        // The same report as JSON has the same rows.
        const json = await get("/v1/usage?by=day,model,key&tz=America/Los_Angeles&since=2026-03-07&until=2026-03-10");
        expect(json.body.data).toHaveLength(rows.length);
        // A user key exports only its own usage.
        const own = await get("/v1/usage/export?by=model", keys.bob.key);
        expect(own.text.trimEnd().split("\r\n").slice(1).reduce((total, line) => total + Number(line.split(",")[1]), 0)).toBe(3);
      });

      it("quotes fields and defuses spreadsheet formulas in key names", async () => {
        const tricky = await call("POST", "/v1/admin/keys", { body: { name: '=HYPERLINK("x"), "quoted"' } });
        await chat(tricky.body.key, "remote-a", 3, at("2026-02-01T12:00:00Z"));
        const exported = await get("/v1/usage/export?by=key&since=2026-02-01&until=2026-02-02");
        expect(exported.text.split("\r\n")[1]).toBe(`${tricky.body.id},"'=HYPERLINK(""x""), ""quoted""",${tricky.body.prefix},1,3,1,0.005000000,1,0,0,0,0`);
      });
    });

    describe("GET /v1/admin/keys", () => {
      it("filters, sorts and pages in the server with a total", async () => {
        const tag = `page-${dialect}`;
        for (const name of ["delta", "alpha", "echo", "charlie", "bravo", "foxtrot", "golf"]) {
          clock += 1000; // one creation time each, so the order by creation is known
          expect((await call("POST", "/v1/admin/keys", { body: { name: `${tag} ${name}` } })).status).toBe(201);
        }
        const first = await get(`/v1/admin/keys?search=${tag}&sort=name&limit=3`);
        expect(first.status, first.text).toBe(200);
        expect(first.body).toMatchObject({ object: "list", total: 7, has_more: true });
        expect(first.body.data.map((key: { name: string }) => key.name)).toEqual([`${tag} alpha`, `${tag} bravo`, `${tag} charlie`]);
        const last = await get(`/v1/admin/keys?search=${tag.toUpperCase()}&sort=name&order=desc&limit=3&offset=6`);
        expect(last.body).toMatchObject({ total: 7, has_more: false });
        expect(last.body.data.map((key: { name: string }) => key.name)).toEqual([`${tag} alpha`]);
        const byCreation = await get(`/v1/admin/keys?search=${tag}&sort=created&order=desc&limit=2`);
        expect(byCreation.body.data.map((key: { name: string }) => key.name)).toEqual([`${tag} golf`, `${tag} foxtrot`]);
        // By prefix too.
        const prefix = first.body.data[0].prefix as string;
        expect((await get(`/v1/admin/keys?search=${prefix}`)).body.data.map((key: { prefix: string }) => key.prefix)).toEqual([prefix]);
      });

      it("filters by state and role, and shows each key's status and its spend against the budget of the current period", async () => {
        const revoked = await call("POST", "/v1/admin/keys", { body: { name: "state revoked" } });
        await call("DELETE", `/v1/admin/keys/${revoked.body.id}`);
        const expiring = await call("POST", "/v1/admin/keys", { body: { name: "state expiring", expires_at: clock / 1000 + 60 } });
        expect(expiring.status, expiring.text).toBe(201);
        const boss = await call("POST", "/v1/admin/keys", { body: { name: "state admin", is_admin: true } });
        const names = async (query: string) => ((await get(`/v1/admin/keys?search=state&sort=name&${query}`)).body.data as Array<{ name: string }>).map((key) => key.name);
        expect(await names("status=revoked")).toEqual(["state revoked"]);
        expect(await names("status=expired")).toEqual([]);
        expect(await names("status=active")).toEqual(["state admin", "state expiring"]);
        expect(await names("admin=true")).toEqual(["state admin"]);
        expect(await names("admin=false&status=active")).toEqual(["state expiring"]);
        const realNow = clock;
        clock += 120_000;
        try {
          expect(await names("status=expired")).toEqual(["state expiring"]);
          expect((await get(`/v1/admin/keys/${expiring.body.id}`)).body.status).toBe("expired");
        } finally {
          clock = realNow;
        }
        expect((await get(`/v1/admin/keys/${revoked.body.id}`)).body.status).toBe("revoked");
        expect((await get(`/v1/admin/keys/${boss.body.id}`)).body.status).toBe("active");

        // Spend: a daily budget spent today shows, and tomorrow it is a new period with nothing spent.
        const spender = await call("POST", "/v1/admin/keys", { body: { name: "spend daily", budget: 10, budget_period: "day" } });
        await chat(spender.body.key, "remote-b", 1_000, clock);
        const today = (await get(`/v1/admin/keys/${spender.body.id}`)).body;
        // 1000 prompt tokens at $3000 per million and 1 completion token at $7000 per million.
        expect(today).toMatchObject({ budget: 10, budget_period: "day", status: "active", budget_period_end: seconds("2026-03-16T00:00:00Z") });
        expect(today.spent).toBeCloseTo(3 + 0.007, 9);
        expect(today.remaining).toBeCloseTo(10 - 3.007, 9);
        const spenders = await get("/v1/admin/keys?search=spend&sort=spend&order=desc");
        expect(spenders.body.data[0].name).toBe("spend daily");
        clock += 86_400_000;
        try {
          const tomorrow = (await get(`/v1/admin/keys/${spender.body.id}`)).body;
          expect(tomorrow).toMatchObject({ spent: 0, remaining: 10, budget_period_end: seconds("2026-03-17T00:00:00Z") });
          const listed = (await get("/v1/admin/keys?search=spend%20daily")).body.data[0];
          expect(listed).toMatchObject({ spent: 0, budget: 10 });
        } finally {
          clock -= 86_400_000;
        }
      });

      it("answers bad list parameters and bad limits with 400 naming them; user keys get 403", async () => {
        await expectError(get("/v1/admin/keys?status=gone"), 400, "status");
        await expectError(get("/v1/admin/keys?sort=size"), 400, "sort");
        await expectError(get("/v1/admin/keys?order=up"), 400, "order");
        await expectError(get("/v1/admin/keys?limit=0"), 400, "limit");
        await expectError(get("/v1/admin/keys?limit=1001"), 400, "limit");
        await expectError(get("/v1/admin/keys?limit=ten"), 400, "limit");
        await expectError(get("/v1/admin/keys?offset=-3"), 400, "offset");
        await expectError(get("/v1/admin/keys?admin=yes"), 400, "admin");
        await expectError(get("/v1/admin/keys?serch=x"), 400, "serch");
        await expectError(call("POST", "/v1/admin/keys", { body: { name: "negative", budget: -1 } }), 400, "budget");
        await expectError(call("POST", "/v1/admin/keys", { body: { name: "past", expires_at: "2020-01-01T00:00:00Z" } }), 400, "expires_at");
        await expectError(call("POST", "/v1/admin/keys", { body: { name: "garbage", expires_at: "next tuesday" } }), 400, "expires_at");
        const key = await call("POST", "/v1/admin/keys", { body: { name: "patched" } });
        await expectError(call("PATCH", `/v1/admin/keys/${key.body.id}`, { body: { expires_at: clock / 1000 - 1 } }), 400, "expires_at");
        await expectError(call("PATCH", `/v1/admin/keys/${key.body.id}`, { body: { budget: -5 } }), 400, "budget");
        expect((await get("/v1/admin/keys", keys.alice.key)).status).toBe(403);
      });

      it("applies a changed rpm limit at once and removes it with null", async () => {
        const key = await call("POST", "/v1/admin/keys", { body: { name: "rpm changes" } });
        expect((await call("PATCH", `/v1/admin/keys/${key.body.id}`, { body: { rpm: 1 } })).body.rpm).toBe(1);
        await chat(key.body.key, "remote-a", 5, clock);
        upstream.fallback = respondSse([chatDelta("ok"), chatFinish("stop"), usageChunk({ prompt_tokens: 5, completion_tokens: 1 })]);
        const limited = await call("POST", "/v1/chat/completions", { key: key.body.key, body: { model: "remote-a", messages: [{ role: "user", content: "hi" }], max_tokens: 4 } });
        expect(limited.status).toBe(429);
        expect((await call("PATCH", `/v1/admin/keys/${key.body.id}`, { body: { rpm: null } })).body.rpm).toBeNull();
        await chat(key.body.key, "remote-a", 5, clock);
      });
    });
  });
}
