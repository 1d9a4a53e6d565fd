import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createPlatform, type Platform } from "../../src/platform/index.js";
import { chatDelta, chatFinish, FakeUpstream, respondSse, usageChunk } from "../gateway/fake-upstream.js";
import { startAiplusServe, temporaryHome } from "../cli/run-aiplus.js";

// One real server with a settable clock (ledger times, session expiry), a fake upstream model, and a fake console build.
let clock = Date.now();
let platform: Platform;
let url: string;
let home: string;
let consoleDir: string;
let upstream: FakeUpstream;
const adminKey = `aip_test_admin_${Math.random().toString(36).slice(2)}_0123456789`;
let user: { id: string; key: string };

async function api(route: string, init: RequestInit & { key?: string; cookie?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== undefined) headers.set("authorization", `Bearer ${init.key}`);
  if (init.cookie !== undefined) headers.set("cookie", init.cookie);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return fetch(`${url}${route}`, { ...init, headers, redirect: "manual" });
}

async function signIn(apiKey: string): Promise<{ cookie: string; setCookie: string; body: Record<string, unknown>; csrf: string; text: string }> {
  const response = await api("/v1/console/session", { method: "POST", body: JSON.stringify({ api_key: apiKey }) });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const setCookie = response.headers.get("set-cookie") ?? "";
  const body = JSON.parse(text) as Record<string, unknown>;
  return { cookie: setCookie.split(";")[0] ?? "", setCookie, body, csrf: String(body.csrf_token), text };
}

/** A raw GET whose path is sent exactly as written (fetch would normalise `..`). */
function rawGet(route: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: route }, (response) => {
        let body = "";
        response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-console-"));
  consoleDir = path.join(home, "console-build");
  fs.mkdirSync(path.join(consoleDir, "assets"), { recursive: true });
  fs.writeFileSync(path.join(consoleDir, "index.html"), "<!doctype html><title>console</title><div id=app></div>");
  fs.writeFileSync(path.join(consoleDir, "assets", "index-abc123.js"), "console.log('hi')");
  fs.writeFileSync(path.join(consoleDir, "assets", "index-abc123.css"), "body{}");
  fs.writeFileSync(path.join(consoleDir, "favicon.svg"), "<svg/>");
  fs.writeFileSync(path.join(home, "secret.txt"), "outside the console folder");
  const config = loadConfig({
    environment: { AIPLUS_CONSOLE_DIR: consoleDir },
    flags: { home, port: 0, threads: 1, gpu: "cpu", logLevel: "silent", adminKey, drainSeconds: 2 },
  });
  platform = await createPlatform({ config, logger: pino({ level: "silent" }), now: () => clock });
  url = (await platform.start()).url;
  upstream = await FakeUpstream.start();
  const admin = (route: string, method: string, body: unknown) => api(`/v1/admin${route}`, { method, key: adminKey, body: JSON.stringify(body) });
  expect((await admin("/providers", "POST", { name: "fake", base_url: upstream.baseUrl, api_key: "sk-x", models: ["remote-model"], priority: 1 })).status).toBe(201);
  expect((await admin("/prices/remote-model", "PUT", { input_per_million: 1000, output_per_million: 2000 })).status).toBe(200);
  user = (await (await admin("/keys", "POST", { name: "console user", budget: 50 })).json()) as { id: string; key: string };
});

afterAll(async () => {
  await platform?.dispose();
  await upstream?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

describe("console sessions", () => {
  it("exchanges an API key for an HttpOnly, SameSite=Strict cookie that authenticates /v1 without revealing the key", async () => {
    const { setCookie, body, csrf, text } = await signIn(user.key);
    expect(setCookie).toMatch(/^aiplus_session=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; Max-Age=43200/);
    expect(setCookie).not.toMatch(/Secure/);
    expect(text).not.toContain(user.key);
    expect(body.key).toMatchObject({ id: user.id, name: "console user", is_admin: false, budget: 50, spent: 0, remaining: 50, allow_code_execution: false });
    expect(csrf.length).toBeGreaterThan(20);
    const secureOne = await api("/v1/console/session", { method: "POST", headers: { "x-forwarded-proto": "https" }, body: JSON.stringify({ api_key: user.key }) });
    expect(secureOne.headers.get("set-cookie")).toMatch(/; Secure/);
  });

  it("rejects a wrong key with OpenAI error JSON", async () => {
    const response = await api("/v1/console/session", { method: "POST", body: JSON.stringify({ api_key: "aip_wrong_key_1234567890" }) });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
    expect(response.headers.get("set-cookie")).toBeNull();
    const empty = await api("/v1/console/session", { method: "POST", body: JSON.stringify({}) });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { param: string } }).error.param).toBe("api_key");
  });

  it("lets the cookie read /v1, requires x-csrf-token on state changes, and refuses cross-site requests", async () => {
    const { cookie, csrf } = await signIn(adminKey);
    const models = await api("/v1/models", { cookie });
    expect(models.status).toBe(200);
    const reload = await api("/v1/console/session", { cookie });
    expect(reload.status).toBe(200);
    expect(((await reload.json()) as { csrf_token: string }).csrf_token).toBe(csrf);

    const createKey = (headers: Record<string, string>) => api("/v1/admin/keys", { method: "POST", cookie, headers, body: JSON.stringify({ name: "made from the console" }) });
    const withoutToken = await createKey({});
    expect(withoutToken.status).toBe(403);
    expect(((await withoutToken.json()) as { error: { code: string } }).error.code).toBe("csrf_token_invalid");
    expect((await createKey({ "x-csrf-token": "nope" })).status).toBe(403);
    expect((await createKey({ "x-csrf-token": csrf })).status).toBe(201);

    const host = new URL(url).host;
    expect((await createKey({ "x-csrf-token": csrf, origin: `http://${host}`, "sec-fetch-site": "same-origin" })).status).toBe(201);
    const crossOrigin = await createKey({ "x-csrf-token": csrf, origin: "https://evil.example" });
    expect(crossOrigin.status).toBe(403);
    expect(((await crossOrigin.json()) as { error: { code: string } }).error.code).toBe("cross_site_request");
    expect((await api("/v1/models", { cookie, headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
    expect((await api("/v1/console/session", { method: "POST", headers: { origin: "https://evil.example" }, body: JSON.stringify({ api_key: adminKey }) })).status).toBe(403);
    // A bearer key is unaffected by CSRF rules.
    expect((await api("/v1/admin/keys", { method: "POST", key: adminKey, headers: { origin: "https://evil.example" }, body: JSON.stringify({ name: "bearer" }) })).status).toBe(201);
    // /mcp takes bearer keys only.
    expect((await api("/mcp", { method: "POST", cookie, headers: { "x-csrf-token": csrf }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) })).status).toBe(401);
  });

  it("ends the session server-side on sign-out", async () => {
    const { cookie, csrf } = await signIn(user.key);
    expect((await api("/v1/console/session", { method: "DELETE", cookie })).status).toBe(403);
    const signOut = await api("/v1/console/session", { method: "DELETE", cookie, headers: { "x-csrf-token": csrf } });
    expect(signOut.status).toBe(200);
    expect(signOut.headers.get("set-cookie")).toMatch(/^aiplus_session=;.*Max-Age=0/);
    // The old cookie, replayed, no longer works.
    expect((await api("/v1/models", { cookie })).status).toBe(401);
    expect((await api("/v1/console/session", { cookie })).status).toBe(401);
  });

  it("expires sessions after consoleSessionHours", async () => {
    const { cookie } = await signIn(user.key);
    expect((await api("/v1/me", { cookie })).status).toBe(200);
    const realNow = clock;
    try {
      clock = realNow + 12 * 3_600_000 + 1000;
      const expired = await api("/v1/models", { cookie });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { error: { code: string } }).error.code).toBe("invalid_session");
    } finally {
      clock = realNow;
    }
    // The row was deleted: going back in time does not revive it.
    expect((await api("/v1/models", { cookie })).status).toBe(401);
  });

  it("ends a revoked key's sessions", async () => {
    const doomed = (await (await api("/v1/admin/keys", { method: "POST", key: adminKey, body: JSON.stringify({ name: "doomed" }) })).json()) as { id: string; key: string };
    const { cookie } = await signIn(doomed.key);
    expect((await api("/v1/models", { cookie })).status).toBe(200);
    expect((await api(`/v1/admin/keys/${doomed.id}`, { method: "DELETE", key: adminKey })).status).toBe(200);
    expect((await api("/v1/models", { cookie })).status).toBe(401);
    expect((await api("/v1/console/session", { cookie })).status).toBe(401);
  });

  it("GET /v1/me describes the calling key and its budget", async () => {
    const response = await api("/v1/me", { key: user.key });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: user.id, name: "console user", is_admin: false, budget: 50, budget_period: "month" });
    expect(JSON.stringify(body)).not.toContain(user.key);
    expect((await api("/v1/me")).status).toBe(401);
  });
});

describe("GET /v1/usage/summary", () => {
  const at = (iso: string) => Date.parse(iso);
  /** Requests at known times: [time, key, prompt tokens, completion tokens]. */
  const requests: Array<[string, "user" | "admin", number, number]> = [
    ["2026-02-28T19:00:00Z", "user", 11, 1],
    ["2026-03-01T07:30:00Z", "user", 13, 2],
    ["2026-03-10T06:00:00Z", "user", 17, 3],
    ["2026-03-10T12:00:00Z", "user", 19, 4],
    ["2026-03-10T19:00:00Z", "user", 23, 5],
    ["2026-03-10T19:30:00Z", "admin", 29, 6],
  ];
  const summaryTime = at("2026-03-10T20:00:00Z");
  /** Day and month bounds of `summaryTime` in each zone, worked out by hand (LA is on PDT since 2026-03-08). */
  const bounds = {
    UTC: { today: ["2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z"], month: ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"] },
    "Asia/Kolkata": { today: ["2026-03-10T18:30:00Z", "2026-03-11T18:30:00Z"], month: ["2026-02-28T18:30:00Z", "2026-03-31T18:30:00Z"] },
    "America/Los_Angeles": { today: ["2026-03-10T07:00:00Z", "2026-03-11T07:00:00Z"], month: ["2026-03-01T08:00:00Z", "2026-04-01T07:00:00Z"] },
  } as const;

  beforeAll(async () => {
    const realNow = clock;
    try {
      for (const [time, who, input, output] of requests) {
        clock = at(time);
        upstream.fallback = respondSse([chatDelta("ok"), chatFinish("stop"), usageChunk({ prompt_tokens: input, completion_tokens: output })]);
        const response = await api("/v1/chat/completions", {
          method: "POST",
          key: who === "user" ? user.key : adminKey,
          body: JSON.stringify({ model: "remote-model", messages: [{ role: "user", content: "hi" }], max_tokens: 8 }),
        });
        expect(response.status, await response.clone().text()).toBe(200);
        await response.text();
      }
    } finally {
      clock = realNow;
    }
  });

  type Totals = { requests: number; input_tokens: number; output_tokens: number; cost: number };
  type LedgerRecord = { key_id: string | null; input_tokens: number; output_tokens: number; cost: number; created_at: number };

  async function ledgerTotals(since: string, until: string, keyId: string | undefined): Promise<Totals> {
    const response = await api(`/v1/admin/usage/records?limit=1000&since=${since}&until=${until}`, { key: adminKey });
    const records = ((await response.json()) as { data: LedgerRecord[] }).data.filter((record) => keyId === undefined || record.key_id === keyId);
    return {
      requests: records.length,
      input_tokens: records.reduce((sum, record) => sum + record.input_tokens, 0),
      output_tokens: records.reduce((sum, record) => sum + record.output_tokens, 0),
      cost: records.reduce((sum, record) => sum + record.cost, 0),
    };
  }

  for (const [timeZone, expected] of Object.entries(bounds)) {
    it(`splits days and months in ${timeZone} as the ledger does`, async () => {
      const realNow = clock;
      clock = summaryTime;
      try {
        for (const [who, key, keyId] of [["user", user.key, user.id], ["admin", adminKey, undefined]] as const) {
          const response = await api(`/v1/usage/summary?tz=${encodeURIComponent(timeZone)}`, { key });
          expect(response.status).toBe(200);
          const summary = (await response.json()) as { time_zone: string; today: Totals & { since: number; until: number }; month: Totals & { since: number; until: number } };
          expect(summary.time_zone).toBe(timeZone);
          for (const period of ["today", "month"] as const) {
            const [since, until] = expected[period];
            expect([summary[period].since, summary[period].until], `${who} ${period}`).toEqual([at(since) / 1000, at(until) / 1000]);
            const ledger = await ledgerTotals(since, until, keyId);
            expect(ledger.requests).toBeGreaterThan(0);
            expect({ ...summary[period], since: undefined, until: undefined, cost: undefined }).toEqual({ ...ledger, since: undefined, until: undefined, cost: undefined });
            expect(summary[period].cost).toBeCloseTo(ledger.cost, 9);
          }
        }
      } finally {
        clock = realNow;
      }
    });
  }

  it("counts the hand-worked requests per zone", async () => {
    const realNow = clock;
    clock = summaryTime;
    try {
      const counts = async (tz: string) => {
        const summary = (await (await api(`/v1/usage/summary?tz=${encodeURIComponent(tz)}`, { key: user.key })).json()) as { today: Totals; month: Totals };
        return [summary.today.requests, summary.month.requests, summary.today.input_tokens];
      };
      expect(await counts("UTC")).toEqual([3, 4, 17 + 19 + 23]);
      expect(await counts("Asia/Kolkata")).toEqual([1, 5, 23]);
      expect(await counts("America/Los_Angeles")).toEqual([2, 3, 19 + 23]);
    } finally {
      clock = realNow;
    }
  });

  it("rejects an unknown time zone with 400 param tz", async () => {
    const response = await api("/v1/usage/summary?tz=Mars/Olympus_Mons", { key: user.key });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string; type: string } }).error).toMatchObject({ param: "tz", type: "invalid_request_error" });
  });
});

describe("console static files", () => {
  it("redirects / to /console/ and serves index.html uncached", async () => {
    const root = await api("/");
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/console/");
    const index = await api("/console/");
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(await index.text()).toContain("<div id=app>");
  });

  it("caches hashed assets immutably with the right content types", async () => {
    const script = await api("/console/assets/index-abc123.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await script.text()).toBe("console.log('hi')");
    const style = await api("/console/assets/index-abc123.css");
    expect(style.headers.get("content-type")).toMatch(/^text\/css/);
    const icon = await api("/console/favicon.svg");
    expect(icon.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(icon.headers.get("cache-control")).toBe("no-cache");
    expect((await api("/console/assets/missing-123.js")).status).toBe(404);
  });

  it("answers deep links with index.html", async () => {
    for (const route of ["/console/usage", "/console/keys/abc/edit", "/console/knowledge-bases/"]) {
      const response = await api(route);
      expect(response.status, route).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(await response.text()).toContain("<div id=app>");
    }
  });

  it("refuses paths that leave the console folder", async () => {
    for (const route of [
      "/console/../package.json",
      "/console/..%2fsecret.txt",
      "/console/%2e%2e/secret.txt",
      "/console/%2e%2e%2fsecret.txt",
      "/console/assets/..%2f..%2fsecret.txt",
      "/console/..%5csecret.txt",
      "/console/%00index.html",
      "/console/.%2e/secret.txt",
    ]) {
      const response = await rawGet(route);
      expect(response.status, route).toBe(404);
      expect(response.body).not.toContain("outside the console folder");
      expect(response.body).not.toContain('"name": "aiplus"');
    }
  });

  it("finds the console from the installation, not the working directory, and says when it is not built", async () => {
    const serveHome = temporaryHome();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-cwd-"));
    const serve = await startAiplusServe({ home: serveHome, cwd: elsewhere });
    try {
      const origin = serve.apiUrl.replace(/\/v1$/, "");
      const response = await fetch(`${origin}/console/`);
      const built = fs.existsSync(path.resolve(import.meta.dirname, "../../web/dist/index.html"));
      if (built) {
        expect(response.status).toBe(200);
        expect(response.headers.get("cache-control")).toBe("no-cache");
      } else {
        expect(response.status).toBe(503);
        expect(await response.text()).toContain("npm run build");
      }
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    } finally {
      await serve.stop("SIGTERM");
      fs.rmSync(serveHome, { recursive: true, force: true });
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
