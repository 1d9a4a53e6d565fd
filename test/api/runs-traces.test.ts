import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";
import { newResponsesLedgerRows } from "./responses-support.js";

// Runs and traces (/v1/runs): a run's trace is computed from its step log and its ledger rows; list, show, cancel.
let server: TestServer;
let upstream: ScriptedUpstream;
let ledgerRows: ReturnType<typeof newResponsesLedgerRows>;
const model = "remote-model";
const calculator = { type: "server_tool", name: "calculator" } as never;
const guardedCalculator = { type: "server_tool", name: "calculator", require_approval: "always" } as never;

type Span = {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  step_index: number | null;
  start_time_ms: number;
  end_time_ms: number | null;
  duration_ms: number | null;
  status: string;
  status_message: string | null;
  attributes: Record<string, unknown>;
};
type TraceView = { object: string; run_id: string; trace_id: string; spans: Span[] };
type RunView = {
  id: string;
  object: string;
  status: string;
  incomplete_reason: string | null;
  steps: number;
  model_calls: number;
  tool_calls: number;
  pending_approvals: number;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  cost_usd: number;
  ended_at: number | null;
};
type RunList = { object: string; data: RunView[]; first_id: string | null; last_id: string | null; has_more: boolean };

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  server = await startTestServer();
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
  await server.admin.put(`/admin/prices/${model}`, { body: { input_per_million: 2, output_per_million: 8 } });
  ledgerRows = newResponsesLedgerRows(server);
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

async function raw(path: string, init: { method?: string; key?: string } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/v1${path}`, { method: init.method ?? "GET", headers: { authorization: `Bearer ${init.key ?? server.adminKey}` } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function pollRun(id: string, until: (run: RunView) => boolean, key = server.adminKey): Promise<RunView> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const { status, json } = await raw(`/runs/${id}`, { key });
    if (status === 200 && until(json as RunView)) return json as RunView;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`run ${id} never reached the expected state`);
}

describe("run traces", () => {
  it("a server tool loop: root span with chat, execute_tool, chat children; tokens and cost match the ledger rows", async () => {
    upstream.reset();
    await ledgerRows();
    upstream.on("user: Compute six times seven", { toolCall: { name: "calculator", arguments: { expression: "6*7" }, id: "call_sixseven" } });
    upstream.on("tool: 42", { text: "It is 42." });
    const response = (await server.admin.responses.create({ model, input: "Compute six times seven", tools: [calculator] })) as OpenAIResponse;
    expect(response.status).toBe("completed");
    const rows = await ledgerRows();
    expect(rows).toHaveLength(2);

    const { status, json } = await raw(`/runs/${response.id}/trace`);
    expect(status).toBe(200);
    const trace = json as unknown as TraceView;
    expect(trace.object).toBe("trace");
    expect(trace.run_id).toBe(response.id);
    expect(trace.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const [root, ...children] = trace.spans;
    expect(root).toMatchObject({ name: `response ${response.id}`, kind: "run", parent_span_id: null, status: "ok", step_index: null });
    expect(children.map((span) => span.name)).toEqual([`chat ${model}`, "execute_tool calculator", `chat ${model}`]);
    for (const span of trace.spans) {
      expect(span.trace_id).toBe(trace.trace_id);
      expect(span.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(span.end_time_ms).not.toBeNull();
      expect(span.duration_ms).toBe(span.end_time_ms! - span.start_time_ms);
    }
    for (const child of children) {
      expect(child.parent_span_id).toBe(root!.span_id);
      expect(child.status).toBe("ok");
      expect(child.start_time_ms).toBeGreaterThanOrEqual(root!.start_time_ms);
      expect(child.end_time_ms!).toBeLessThanOrEqual(root!.end_time_ms!);
    }
    // Steps in order: each starts after the previous ended.
    for (let index = 1; index < children.length; index++) expect(children[index]!.start_time_ms).toBeGreaterThanOrEqual(children[index - 1]!.end_time_ms!);

    const chats = children.filter((span) => span.kind === "chat");
    expect(chats.map((span) => span.attributes["aiplus.ledger.request_id"]).sort()).toEqual(rows.map((row) => row.id).sort());
    for (const span of chats) {
      const row = rows.find((candidate) => candidate.id === span.attributes["aiplus.ledger.request_id"])!;
      expect(row.costNanos).toBeGreaterThan(0);
      expect(span.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": model,
        "gen_ai.usage.input_tokens": row.inputTokens,
        "gen_ai.usage.output_tokens": row.outputTokens,
        "aiplus.cost_usd": row.costNanos / 1e9,
        "aiplus.ledger.status": "ok",
        "aiplus.route": "scripted",
      });
    }
    expect(chats[0]!.attributes["gen_ai.response.finish_reasons"]).toEqual(["tool-calls"]);
    expect(children[1]!.attributes).toMatchObject({ "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "calculator", "gen_ai.tool.call.id": "call_sixseven", "aiplus.server_label": "aiplus" });
    const totalCost = rows.reduce((total, row) => total + row.costNanos, 0) / 1e9;
    expect(root!.attributes).toMatchObject({
      "gen_ai.request.model": model,
      "gen_ai.response.id": response.id,
      "gen_ai.usage.input_tokens": 20,
      "gen_ai.usage.output_tokens": 10,
      "aiplus.run.state": "completed",
    });
    expect(root!.attributes["aiplus.cost_usd"]).toBeCloseTo(totalCost, 12);

    // The run view agrees with the trace.
    const run = (await raw(`/runs/${response.id}`)).json as unknown as RunView;
    expect(run).toMatchObject({ id: response.id, object: "run", status: "completed", steps: 3, model_calls: 2, tool_calls: 1, pending_approvals: 0, usage: { input_tokens: 20, output_tokens: 10, total_tokens: 30 } });
    expect(run.cost_usd).toBeCloseTo(totalCost, 12);
    expect(run.ended_at).not.toBeNull();
  });

  it("an approval: open while pending (awaiting_approval), then closed with the decision", async () => {
    upstream.reset();
    upstream.on("user: Add two and three", { toolCall: { name: "calculator", arguments: { expression: "2+3" } } });
    upstream.on("tool: Error: the call was not approved: too risky", { text: "I may not." });
    const created = await server.admin.responses.create({ model, input: "Add two and three", tools: [guardedCalculator], background: true });
    const paused = await pollRun(created.id, (run) => run.status === "awaiting_approval");
    expect(paused.pending_approvals).toBe(1);
    const waiting = (await raw("/runs?status=awaiting_approval")).json as unknown as RunList;
    expect(waiting.data.map((run) => run.id)).toContain(created.id);
    expect(waiting.data.every((run) => run.status === "awaiting_approval")).toBe(true);
    const open = ((await raw(`/runs/${created.id}/trace`)).json as unknown as TraceView).spans;
    expect(open.map((span) => [span.name, span.status])).toEqual([
      [`response ${created.id}`, "unset"],
      [`chat ${model}`, "ok"],
      ["approval calculator", "unset"],
    ]);
    expect(open[0]!.end_time_ms).toBeNull();
    expect(open[2]!.end_time_ms).toBeNull();

    const approvalId = open[2]!.attributes["aiplus.approval.id"] as string;
    await server.admin.post(`/approvals/${approvalId}/deny`, { body: { reason: "too risky" } });
    await pollRun(created.id, (run) => run.status === "completed");
    const spans = ((await raw(`/runs/${created.id}/trace`)).json as unknown as TraceView).spans;
    expect(spans.map((span) => span.name)).toEqual([`response ${created.id}`, `chat ${model}`, "approval calculator", "execute_tool calculator", `chat ${model}`]);
    expect(spans[2]).toMatchObject({ kind: "approval", status: "ok", attributes: { "aiplus.approval.status": "denied", "aiplus.approval.reason": "too risky" } });
    expect(spans[2]!.end_time_ms).not.toBeNull();
    expect(spans[3]).toMatchObject({ status: "error", status_message: "the call was not approved: too risky", attributes: { "aiplus.approval.id": approvalId } });
  });
});

describe("/v1/runs", () => {
  it("lists the key's runs (an admin: every key's), newest first, with paging and a status filter", async () => {
    upstream.reset();
    upstream.on("user: Hello from the other key", { text: "Hello." });
    const other = await server.createKey({ name: "runs-other" });
    const mine = await server.client(other.key).responses.create({ model, input: "Hello from the other key", background: true });
    await pollRun(mine.id, (run) => run.status === "completed", other.key);

    const ownList = (await raw("/runs", { key: other.key })).json as unknown as RunList;
    expect(ownList.data.map((run) => run.id)).toEqual([mine.id]);
    expect(ownList).toMatchObject({ object: "list", first_id: mine.id, last_id: mine.id, has_more: false });
    const all = (await raw("/runs?limit=100")).json as unknown as RunList;
    expect(all.data.length).toBeGreaterThanOrEqual(3);
    expect(all.data[0]!.id).toBe(mine.id);

    const first = (await raw("/runs?limit=1")).json as unknown as RunList;
    expect(first).toMatchObject({ has_more: true, first_id: mine.id });
    const second = (await raw(`/runs?limit=1&after=${first.last_id}`)).json as unknown as RunList;
    expect(second.data).toHaveLength(1);
    expect(second.data[0]!.id).toBe(all.data[1]!.id);

    const completed = (await raw("/runs?status=completed&limit=100")).json as unknown as RunList;
    expect(completed.data.length).toBe(all.data.filter((run) => run.status === "completed").length);
    // Another key's run is not found; a plain (non-run) response is not a run.
    expect(await raw(`/runs/${all.data.at(-1)!.id}`, { key: other.key })).toMatchObject({ status: 404, json: { error: { param: "run_id" } } });
    const plain = await server.admin.responses.create({ model, input: "Hello from the other key" });
    expect((await raw(`/runs/${plain.id}`)).status).toBe(404);
    expect((await raw(`/runs/${plain.id}/trace`)).status).toBe(404);
  });

  it("cancels a running run (its model call in flight): cancelled and ended; cancelling again changes nothing", async () => {
    upstream.reset();
    upstream.on("user: Think for a long time", { hold: true });
    const created = await server.admin.responses.create({ model, input: "Think for a long time", background: true });
    await upstream.waitForRequests(1);
    await pollRun(created.id, (run) => run.status === "running");
    const cancelled = await raw(`/runs/${created.id}/cancel`, { method: "POST" });
    expect(cancelled).toMatchObject({ status: 200, json: { id: created.id, status: "cancelled" } });
    expect((await server.admin.responses.retrieve(created.id)).status).toBe("cancelled");
    const spans = ((await raw(`/runs/${created.id}/trace`)).json as unknown as TraceView).spans;
    expect(spans[0]).toMatchObject({ status: "unset", status_message: "cancelled" });
    expect(spans[0]!.end_time_ms).not.toBeNull();
    expect(spans.every((span) => span.end_time_ms !== null)).toBe(true);
    expect(await raw(`/runs/${created.id}/cancel`, { method: "POST" })).toMatchObject({ status: 200, json: { status: "cancelled" } });
    expect((await raw("/runs/resp_nope/cancel", { method: "POST" })).status).toBe(404);
  });

  it("bad queries are 400s naming the parameter", async () => {
    expect(await raw("/runs?status=done")).toMatchObject({ status: 400, json: { error: { param: "status", type: "invalid_request_error" } } });
    expect(await raw("/runs?limit=0")).toMatchObject({ status: 400, json: { error: { param: "limit" } } });
    expect(await raw("/runs?after=resp_unknown")).toMatchObject({ status: 400, json: { error: { param: "after" } } });
    expect(await raw("/runs/resp_unknown")).toMatchObject({ status: 404, json: { error: { param: "run_id" } } });
  });
});
