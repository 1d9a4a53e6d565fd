import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UsageRecord } from "../../src/store/index.js";
import { jsonOf, runAiplus, type UsageRowJson } from "../cli/run-aiplus.js";
import { chatDelta, chatFinish, FakeUpstream, respondSse, respondSseCutAfter, respondSseThenCut, usageChunk } from "../gateway/fake-upstream.js";
import { startTestServer, type TestServer } from "../support/api-server.js";

// A request that answers the client with an error is not charged to its key; the ledger keeps the tokens it knows of
// and their cost as the provider's cost. A stream that breaks after content was sent is billed for what was sent.
// Attempts the gateway abandoned (retries, failovers) are never charged; their tokens are part of the provider cost.
let server: TestServer;
let upstream: FakeUpstream;
let healthy: FakeUpstream;
let key: { id: string; key: string };
let failoverKey: { id: string; key: string };

/** The price book's cost of the tokens of the attempt that answered (unknown counts cost nothing). */
const answerCost = (record: UsageRecord) => (record.inputTokens ?? 0) * 1_000_000 + (record.outputTokens ?? 0) * 2_000_000;
/** The price book's cost of all of a record's tokens: the answer's and the failed attempts'. */
const tokenCost = (record: UsageRecord) => answerCost(record) + (record.failedInputTokens ?? 0) * 1_000_000 + (record.failedOutputTokens ?? 0) * 2_000_000;

/** One provider per case, so that one case's failures never open the circuit of another's route. */
async function addRoute(model: string, options: { baseUrl?: string; name?: string; priority?: number } = {}): Promise<void> {
  const body = { name: options.name ?? `provider-${model}`, base_url: options.baseUrl ?? upstream.baseUrl, api_key: "sk-upstream", models: [model], priority: options.priority };
  await server.admin.post("/admin/providers", { body });
  // $1000 per 1M input tokens, $2000 per 1M output tokens: 1 and 2 milli-dollars (1e6 and 2e6 nanos) per token.
  await server.admin.put(`/admin/prices/${model}`, { body: { input_per_million: 1000, output_per_million: 2000 } });
}

async function onlyRecord(model: string, owner: { id: string } = key): Promise<UsageRecord> {
  const records = await server.platform.maas.usage.list({ keyId: owner.id, model });
  expect(records).toHaveLength(1);
  return records[0]!;
}

function postChat(body: Record<string, unknown>, owner: { key: string } = key): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${owner.key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const sseData = (text: string) => text.split("\n\n").filter((frame) => frame.startsWith("data: ")).map((frame) => frame.slice("data: ".length));

beforeAll(async () => {
  server = await startTestServer();
  upstream = await FakeUpstream.start();
  healthy = await FakeUpstream.start();
  key = await server.createKey({ name: "billed", budget: 100 });
  failoverKey = await server.createKey({ name: "failover", budget: 100 });
});

afterAll(async () => {
  await server?.close();
  await upstream?.stop();
  await healthy?.stop();
});

describe("billing of failed requests", () => {
  it("a non-streamed request whose upstream breaks mid-answer gets a 502, charges nothing, and records every attempt's tokens", async () => {
    await addRoute("cut-whole");
    upstream.fallback = respondSseCutAfter(4);
    const hitsBefore = upstream.hits.length;
    const response = await postChat({ model: "cut-whole", messages: [{ role: "user", content: "Tell me a story about a cat and a dog" }] });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("upstream_error");
    const attempts = upstream.hits.length - hitsBefore; // the gateway's retries of the route

    const record = await onlyRecord("cut-whole");
    expect(attempts).toBeGreaterThanOrEqual(1);
    // No attempt answered; each one streamed 4 deltas (at least 4 tokens) over the whole prompt before it was cut.
    expect(record).toMatchObject({ status: "error", costNanos: 0, inputTokens: undefined, outputTokens: undefined, failedAttempts: attempts });
    expect(record.failedOutputTokens).toBe(4 * attempts);
    expect(record.failedInputTokens).toBeGreaterThan(0);
    expect(record.failedInputTokens! % attempts).toBe(0);
    expect(record.providerCostNanos).toBeGreaterThan(0);
    expect(record.providerCostNanos).toBe(tokenCost(record));
    expect(await server.platform.maas.keys.get(key.id)).toMatchObject({ spentNanos: 0, reservedNanos: 0 });

    const view = (await server.admin.get<{ data: Record<string, unknown>[] }>("/admin/usage/records", { query: { key_id: key.id, model: "cut-whole" } })).data;
    expect(view[0]).toMatchObject({ failed_attempts: attempts, failed_input_tokens: record.failedInputTokens, failed_output_tokens: 4 * attempts, cost: 0 });
    expect(view[0]!.provider_cost).toBeCloseTo(record.providerCostNanos / 1e9, 12);
  });

  it("a non-streamed request that fails over after a cut is charged for the answer only; the cut attempts are provider cost", async () => {
    await addRoute("failover-whole", { name: "cutting-provider", priority: 10 });
    await addRoute("failover-whole", { name: "healthy-provider", baseUrl: healthy.baseUrl, priority: 20 });
    upstream.fallback = respondSseCutAfter(4);
    healthy.fallback = respondSse([chatDelta("Once upon a time"), chatFinish("stop"), usageChunk({ prompt_tokens: 9, completion_tokens: 5 })]);
    const hitsBefore = upstream.hits.length;
    const response = await postChat({ model: "failover-whole", messages: [{ role: "user", content: "Tell me a story" }] }, failoverKey);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe("Once upon a time");
    const cutAttempts = upstream.hits.length - hitsBefore;
    expect(cutAttempts).toBeGreaterThanOrEqual(1);
    expect(healthy.hits).toHaveLength(1);

    const record = await onlyRecord("failover-whole", failoverKey);
    expect(record).toMatchObject({ status: "ok", route: "healthy-provider", inputTokens: 9, outputTokens: 5, failedAttempts: cutAttempts });
    expect(record.costNanos).toBe(9 * 1_000_000 + 5 * 2_000_000); // the answer only
    expect(record.failedOutputTokens).toBe(4 * cutAttempts);
    expect(record.failedInputTokens).toBeGreaterThan(0);
    expect(record.providerCostNanos).toBe(record.costNanos + record.failedInputTokens! * 1_000_000 + 4 * cutAttempts * 2_000_000);
    expect(await server.platform.maas.keys.get(failoverKey.id)).toMatchObject({ spentNanos: record.costNanos, reservedNanos: 0 });
  });

  it("a streamed request whose upstream fails before any content gets only an error and charges nothing", async () => {
    await addRoute("cut-early");
    upstream.fallback = respondSseThenCut([]);
    const response = await postChat({ model: "cut-early", messages: [{ role: "user", content: "Hello there" }], stream: true });
    if (response.status === 200) {
      // The failure came after the stream started: one error event, no [DONE].
      const events = sseData(await response.text());
      expect(JSON.parse(events.at(-1)!)).toMatchObject({ error: { type: "upstream_error" } });
      expect(events).not.toContain("[DONE]");
    } else {
      expect(response.status).toBe(502); // the gateway's retries and failover ran out before the stream started
    }

    const record = await onlyRecord("cut-early");
    expect(record).toMatchObject({ status: "error", costNanos: 0 });
    expect(record.providerCostNanos).toBe(tokenCost(record));
    expect(await server.platform.maas.keys.get(key.id)).toMatchObject({ spentNanos: 0, reservedNanos: 0 });
  });

  it("a stream that breaks after content was sent is billed for what was sent", async () => {
    await addRoute("cut-late");
    upstream.fallback = respondSseThenCut([chatDelta("partial"), chatDelta(" answer")]);
    const response = await postChat({ model: "cut-late", messages: [{ role: "user", content: "Hello there" }], stream: true });
    const events = sseData(await response.text());
    expect(events.filter((event) => event.includes('"content":"partial"'))).toHaveLength(1);
    expect(JSON.parse(events.at(-1)!)).toMatchObject({ error: { type: "upstream_error" } });
    expect(events).not.toContain("[DONE]");

    const record = await onlyRecord("cut-late");
    expect(record.status).toBe("error");
    expect(record.outputTokens).toBeGreaterThanOrEqual(2);
    expect(record.inputTokens).toBeGreaterThan(0);
    expect(record.costNanos).toBe(answerCost(record));
    expect(record.providerCostNanos).toBe(record.costNanos);
    expect(await server.platform.maas.keys.get(key.id)).toMatchObject({ spentNanos: record.costNanos, reservedNanos: 0 });
  });

  it("usage reports show requests by status, the cost charged and the provider cost (admin API and CLI)", async () => {
    const records = await server.platform.maas.usage.list({ keyId: key.id });
    const charged = records.reduce((sum, record) => sum + record.costNanos, 0);
    const providerCost = records.reduce((sum, record) => sum + record.providerCostNanos, 0);
    expect(charged).toBeGreaterThan(0);

    type RowView = { status?: string; requests: number; cost: number; provider_cost: number; statuses: Record<string, number> };
    const byStatus = (await server.admin.get<{ data: RowView[] }>("/admin/usage", { query: { by: "status", key_id: key.id } })).data;
    expect(byStatus).toEqual([
      expect.objectContaining({ status: "error", requests: 3, statuses: { pending: 0, ok: 0, error: 3, cancelled: 0, interrupted: 0 } }),
    ]);
    expect(byStatus[0]!.cost).toBeCloseTo(charged / 1e9, 12);
    expect(byStatus[0]!.provider_cost).toBeCloseTo(providerCost / 1e9, 12);
    const recordViews = (await server.admin.get<{ data: { status: string; cost: number; provider_cost: number }[] }>("/admin/usage/records", { query: { key_id: key.id } })).data;
    expect(recordViews.map((record) => [record.status, record.cost > 0])).toEqual([
      ["error", true],
      ["error", false],
      ["error", false],
    ]);
    expect(recordViews.every((record) => typeof record.provider_cost === "number")).toBe(true);

    // The CLI prints the API's view of the same rows.
    const rows = jsonOf<UsageRowJson[]>(await runAiplus(["usage", "--by", "key,status", "--json"], { home: server.home }));
    const row = rows.find((entry) => entry.key_id === key.id);
    expect(row).toMatchObject({ status: "error", requests: 3, statuses: expect.objectContaining({ error: 3 }) });
    expect(row!.cost).toBeCloseTo(charged / 1e9, 12);
    expect(row!.provider_cost).toBeCloseTo(providerCost / 1e9, 12);
    const table = await runAiplus(["usage", "--by", "status"], { home: server.home });
    expect(table.stdout).toMatch(/^STATUS\s+REQUESTS\s+INPUT TOKENS\s+OUTPUT TOKENS\s+COST\s+PROVIDER COST\s+OK\s+ERROR\s+CANCELLED\s+INTERRUPTED/);
    expect(table.stdout).toMatch(/^error\s+3\s+/m);
  }, 120_000);
});
