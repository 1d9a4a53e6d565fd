import fs from "node:fs";
import type { Page } from "@playwright/test";
import { type ConsoleServer } from "./support/console-server.js";
import { chatModel, expect, secondChatModel, test } from "./support/fixtures.js";
import { seedLedger, type SeedRecord } from "./support/seed-ledger.js";

type LedgerRecord = { key_id: string | null; model: string; input_tokens: number | null; output_tokens: number | null; cost: number; created_at: number };
type Totals = { requests: number; input: number; output: number; cost: number };
type ReportRow = { day?: string; model?: string; requests: number; input_tokens: number; output_tokens: number; cost: number };

const at = (iso: string) => Date.parse(iso);
const seconds = (iso: string) => at(iso) / 1000;
const dollars = (value: number) => `$${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 6 : 2)}`;
const integer = (value: number) => value.toLocaleString("en-US");

/**
 * Requests right before and after local midnights: UTC, Asia/Kolkata (+5:30) and America/Los_Angeles (PST −8 until
 * 2026-03-08 10:00 UTC, then PDT −7). [time, model, input tokens]; each costs one cent per input token.
 */
const boundaryRequests: Array<[string, string, number]> = [
  ["2026-03-06T23:00:00.000Z", chatModel, 256],
  ["2026-03-07T18:29:59.000Z", chatModel, 1],
  ["2026-03-07T18:30:00.000Z", secondChatModel, 2],
  ["2026-03-08T07:59:59.000Z", chatModel, 4],
  ["2026-03-08T08:00:00.000Z", chatModel, 8],
  ["2026-03-08T10:00:00.000Z", secondChatModel, 16],
  ["2026-03-09T06:59:59.000Z", secondChatModel, 32],
  ["2026-03-09T07:00:00.000Z", chatModel, 64],
  ["2026-03-10T00:00:00.000Z", chatModel, 128],
];

/** Local midnights starting 2026-03-07, -08, -09 and -10 in each zone, worked out by hand. */
const midnights: Record<string, [string, string, string, string]> = {
  UTC: ["2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z"],
  "Asia/Kolkata": ["2026-03-06T18:30:00Z", "2026-03-07T18:30:00Z", "2026-03-08T18:30:00Z", "2026-03-09T18:30:00Z"],
  "America/Los_Angeles": ["2026-03-07T08:00:00Z", "2026-03-08T08:00:00Z", "2026-03-09T07:00:00Z", "2026-03-10T07:00:00Z"],
};
const days = ["2026-03-07", "2026-03-08", "2026-03-09"] as const;

/** The ledger's own totals over [since, until) from raw records (GET /v1/admin/usage/records). */
async function ledgerTotals(server: ConsoleServer, since: number, until: number, keyId: string): Promise<Totals> {
  const list = await server.request<{ data: LedgerRecord[] }>("GET", `/v1/admin/usage/records?limit=100000&since=${since}&until=${until}&key_id=${keyId}`);
  return {
    requests: list.data.length,
    input: list.data.reduce((sum, record) => sum + (record.input_tokens ?? 0), 0),
    output: list.data.reduce((sum, record) => sum + (record.output_tokens ?? 0), 0),
    cost: Math.round(list.data.reduce((sum, record) => sum + record.cost, 0) * 1e9) / 1e9,
  };
}

/** The rows of a report table: [label, requests, input, output, cost] as shown. */
async function tableRows(page: Page, testId: string): Promise<string[][]> {
  return page
    .getByTestId(testId)
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((row) => Array.from(row.querySelectorAll("td"), (cell) => cell.textContent?.trim() ?? "")));
}

/** Picks `option` in the Mantine select labelled `label`. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole("combobox", { name: label, exact: true }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

const shownTotals = (totals: Totals) => [integer(totals.requests), integer(totals.input), integer(totals.output), dollars(totals.cost)];

async function expectTableTotals(page: Page, id: string, totals: Totals) {
  await expect(page.getByTestId(`${id}-total-requests`)).toHaveText(integer(totals.requests));
  await expect(page.getByTestId(`${id}-total-input`)).toHaveText(integer(totals.input));
  await expect(page.getByTestId(`${id}-total-output`)).toHaveText(integer(totals.output));
  await expect(page.getByTestId(`${id}-total-cost`)).toHaveText(dollars(totals.cost));
}

/** A key whose only usage is the boundary requests, written with their exact times. */
async function seedBoundaryKey(server: ConsoleServer, label: string): Promise<{ id: string; name: string }> {
  const name = `tz ${label} ${Date.now()}`;
  const key = await server.request<{ id: string }>("POST", "/v1/admin/keys", { name });
  const records: SeedRecord[] = boundaryRequests.map(([iso, model, inputTokens], index) => ({
    id: `seed-${key.id}-${index}`,
    createdAt: at(iso),
    keyId: key.id,
    model,
    inputTokens,
    outputTokens: index + 1,
    costNanos: inputTokens * 10_000_000,
  }));
  await seedLedger(server.home, records);
  return { id: key.id, name };
}

for (const timeZone of Object.keys(midnights)) {
  test.describe(`in the browser time zone ${timeZone}`, () => {
    test.use({ timezoneId: timeZone });

    test("charts, totals and the CSV export equal the ledger, days midnight to midnight", async ({ page, server, signIn, expectAccessible }) => {
      const key = await seedBoundaryKey(server, timeZone);
      const bounds = midnights[timeZone]!;
      await signIn(undefined, `/console/usage?from=2026-03-07&to=2026-03-09&key=${key.id}`);
      await expect(page.getByRole("heading", { name: "Usage", level: 1 })).toBeVisible();
      // Chromium may name India's zone by its older IANA alias, Asia/Calcutta.
      const zonePattern = timeZone === "Asia/Kolkata" ? "Asia/(Kolkata|Calcutta)" : timeZone;
      await expect(page.getByText(new RegExp(`days run from midnight to midnight in ${zonePattern}`))).toBeVisible();

      // Each local day equals the ledger's records between that zone's midnights.
      const expectedDays: string[][] = [];
      for (const [index, day] of days.entries()) {
        const totals = await ledgerTotals(server, seconds(bounds[index]!), seconds(bounds[index + 1]!), key.id);
        expect(totals.requests, day).toBeGreaterThan(0);
        expectedDays.push([day, ...shownTotals(totals)]);
      }
      await expect.poll(() => tableRows(page, "by-day-table")).toEqual(expectedDays);
      const whole = await ledgerTotals(server, seconds(bounds[0]), seconds(bounds[3]), key.id);
      await expect(page.getByTestId("usage-total-requests")).toHaveText(integer(whole.requests));
      await expect(page.getByTestId("usage-total-input")).toHaveText(integer(whole.input));
      await expect(page.getByTestId("usage-total-cost")).toHaveText(dollars(whole.cost));
      for (const id of ["by-day", "by-model", "by-key"]) await expectTableTotals(page, id, whole);
      expect(await tableRows(page, "by-key-table")).toEqual([[expect.stringContaining(key.name), ...shownTotals(whole)]]);

      // The server's own report (GET /v1/admin/usage with the zone) agrees, day by day.
      const report = await server.request<{ data: ReportRow[] }>("GET", `/v1/admin/usage?by=day&tz=${encodeURIComponent(timeZone)}&since=2026-03-07&until=2026-03-10&key_id=${key.id}`);
      expect(report.data.map((row) => [row.day, ...shownTotals({ requests: row.requests, input: row.input_tokens, output: row.output_tokens, cost: row.cost })])).toEqual(expectedDays);

      // The CSV download (built by the server) sums to the same totals.
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
      const csv = fs.readFileSync((await download.path()), "utf8");
      const [header, ...lines] = csv.trimEnd().split("\r\n");
      expect(header).toBe("day,model,key_id,key_name,key_prefix,requests,input_tokens,output_tokens,cost,status_ok,status_error,status_cancelled,status_interrupted,status_pending");
      const cells = lines.map((line) => line.split(","));
      const sum = (column: number) => cells.reduce((total, row) => total + Number(row[column]), 0);
      expect({ requests: sum(5), input: sum(6), output: sum(7), cost: Math.round(sum(8) * 1e9) / 1e9 }).toEqual(whole);
      for (const [index, day] of days.entries()) {
        const dayCells = cells.filter((row) => row[0] === day);
        expect(integer(dayCells.reduce((total, row) => total + Number(row[6]), 0)), day).toBe(expectedDays[index]![2]);
      }
      await expectAccessible();
    });
  });
}

test("a model filter narrows every chart and the log, and the request log pages on the server", async ({ page, server, signIn, expectAccessible }) => {
  const key = await server.request<{ id: string }>("POST", "/v1/admin/keys", { name: `log ${Date.now()}` });
  // 30 requests on one day: 3 failed.
  const records: SeedRecord[] = Array.from({ length: 30 }, (_, index) => ({
    id: `log-${key.id}-${index}`,
    createdAt: at("2026-04-02T12:00:00Z") + index * 60_000,
    keyId: key.id,
    model: index % 2 === 0 ? chatModel : secondChatModel,
    inputTokens: 10,
    outputTokens: 5,
    costNanos: 20_000_000,
    status: index % 10 === 9 ? "error" : "ok",
  }));
  await seedLedger(server.home, records);
  const recordRequests: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/v1/usage/records")) recordRequests.push(request.url());
  });
  await signIn(undefined, `/console/usage?from=2026-04-01&to=2026-04-03&key=${key.id}`);
  await expect(page.getByTestId("request-log-count")).toHaveText("Requests 1–25 of 30");
  await expect(page.getByTestId("request-log").locator("tbody tr")).toHaveCount(25);
  await page.getByRole("button", { name: "Requests page 2" }).click();
  await expect(page.getByTestId("request-log-count")).toHaveText("Requests 26–30 of 30");
  await expect(page.getByTestId("request-log").locator("tbody tr")).toHaveCount(5);
  expect(recordRequests.some((url) => /limit=25/.test(url) && /offset=25/.test(url))).toBe(true);

  await choose(page, "Status", "Error");
  await expect(page.getByTestId("request-log-count")).toHaveText("Requests 1–3 of 3");
  await expect(page.getByTestId("request-log")).toContainText("seeded failure");

  await choose(page, "Model", secondChatModel);
  await expect(page.getByTestId("request-log-count")).toHaveText("Requests 1–3 of 3");
  await choose(page, "Status", "All");
  await expect(page.getByTestId("request-log-count")).toHaveText("Requests 1–15 of 15");
  expect((await tableRows(page, "by-model-table")).map((row) => row[0])).toEqual([secondChatModel]);
  await expect(page.getByTestId("by-day-total-requests")).toHaveText("15");
  await expect(page.getByTestId("usage-total-cost")).toHaveText(dollars(12 * 0.02));
  // Only one request per page of the log, never one per row.
  expect(recordRequests.length).toBeLessThan(10);
  await expectAccessible();
});

test("a user key sees only its own usage, with its own totals equal to the ledger", async ({ page, server, signIn, expectAccessible }) => {
  const own = await server.request<{ id: string; key: string }>("POST", "/v1/admin/keys", { name: `own usage ${Date.now()}` });
  const other = await server.request<{ id: string; key: string }>("POST", "/v1/admin/keys", { name: `other usage ${Date.now()}` });
  for (const [key, count] of [[own.key, 2], [other.key, 1]] as const) {
    for (let index = 0; index < count; index += 1) {
      await server.request("POST", "/v1/chat/completions", { model: chatModel, messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 4 }, key);
    }
  }
  const usageRequests: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/v1/")) usageRequests.push(request.url());
  });
  await signIn(own.key, "/console/usage");
  await expect(page.getByText(/Requests of your key own usage/)).toBeVisible();
  const records = await server.request<{ data: LedgerRecord[] }>("GET", `/v1/admin/usage/records?key_id=${own.id}`);
  const ledger = {
    requests: records.data.length,
    input: records.data.reduce((sum, record) => sum + (record.input_tokens ?? 0), 0),
    output: records.data.reduce((sum, record) => sum + (record.output_tokens ?? 0), 0),
    cost: records.data.reduce((sum, record) => sum + record.cost, 0),
  };
  expect(ledger.requests).toBe(2);
  await expect(page.getByTestId("usage-total-requests")).toHaveText("2");
  await expectTableTotals(page, "by-key", ledger);
  expect((await tableRows(page, "by-key-table")).map((row) => row[0])).toEqual([expect.stringContaining("own usage")]);
  await expect(page.getByTestId("request-log-count")).toHaveText("Requests 1–2 of 2");
  await expect(page.getByTestId("request-log").getByRole("columnheader", { name: "Key" })).toHaveCount(0);
  await expect(page.getByRole("combobox", { name: "Key", exact: true })).toHaveCount(0);
  // No Keys section for a user key, and nothing of the admin API was asked for.
  await expect(page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Keys" })).toHaveCount(0);
  expect(usageRequests.filter((url) => url.includes("/v1/admin/"))).toEqual([]);
  await expectAccessible();
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await page.setViewportSize({ width: 390, height: 844 });
  await expectAccessible();
});

test("the request log shows each request's guardrail decisions, never the value", async ({ page, server, signIn, expectAccessible }) => {
  // A key of its own with a masking policy (the default policy, shared by other specs, stays as it is).
  const policy = `usage-guard-${Date.now()}`;
  await server.request("POST", "/v1/admin/policies", { name: policy, policy: "pii: mask\n" });
  const key = await server.request<{ id: string; key: string }>("POST", "/v1/admin/keys", { name: `guarded usage ${Date.now()}`, policy });
  const email = "alice.smith@example.com";
  await server.request("POST", "/v1/chat/completions", { model: chatModel, messages: [{ role: "user", content: `Write to ${email} and ${email}` }], max_tokens: 2 }, key.key);
  await server.request("POST", "/v1/chat/completions", { model: chatModel, messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 2 }, key.key);
  const records = await server.request<{ data: Array<{ id: string; guardrail_decisions: Array<{ rule: string; action: string; occurrences: number }> }> }>("GET", "/v1/usage/records", undefined, key.key);
  expect(records.data.map((record) => record.guardrail_decisions.map((decision) => [decision.rule, decision.action, decision.occurrences]))).toEqual([[], [["pii.EMAIL_ADDRESS", "mask", 2]]]);

  await signIn(key.key, "/console/usage");
  await expect(page.getByTestId("request-log-count")).toHaveText("Requests 1–2 of 2");
  const rows = page.getByTestId("request-log").locator("tbody > tr");
  await expect(rows.nth(0).locator("td").nth(8)).toHaveText("—");
  const toggle = rows.nth(1).getByRole("button", { name: /Show the guardrail decisions of the request at .*: 2 masked/ });
  await expect(toggle).toHaveText("2 masked");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await toggle.click();
  const details = page.getByRole("table", { name: `Guardrail decisions of request ${records.data[1]!.id}` });
  await expect(details).toBeVisible();
  expect(await tableRows(page, "guardrail-decisions")).toEqual([["pii.EMAIL_ADDRESS", "mask", "EMAIL_ADDRESS", "local", expect.stringMatching(new RegExp(`(^|\\+)${policy}@1$`)), "messages[0].content", "2"]]);
  await expect(page.getByRole("button", { name: /Hide the guardrail decisions/ })).toHaveAttribute("aria-expanded", "true");
  await expect(page.locator("body")).not.toContainText(email);
  await expectAccessible();
  await page.getByRole("button", { name: /Hide the guardrail decisions/ }).click();
  await expect(details).toHaveCount(0);
});
