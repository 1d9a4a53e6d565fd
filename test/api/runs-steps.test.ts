import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";
import { newResponsesLedgerRows } from "./responses-support.js";

// A run's steps with their content (GET /v1/runs/{id}/steps), the runs list's agent filter, and the run's key.
let server: TestServer;
let upstream: ScriptedUpstream;
let ledgerRows: ReturnType<typeof newResponsesLedgerRows>;
const model = "steps-model";
const calculator = { type: "server_tool", name: "calculator" } as never;
const guardedCalculator = { type: "server_tool", name: "calculator", require_approval: "always" } as never;

type StepView = {
  object: string;
  index: number;
  kind: string;
  status: string;
  started_at: number;
  ended_at: number | null;
  duration_ms: number | null;
  call_id: string | null;
  name: string | null;
  server_label: string | null;
  arguments: string | null;
  output: string | null;
  error: string | null;
  model: string | null;
  usage: { input_tokens: number; output_tokens: number } | null;
  cost_usd: number | null;
  finish_reason: string | null;
  text: string | null;
  tool_calls: Array<{ call_id: string; name: string; arguments: string }>;
  approval: { id: string; status: string; reason: string | null; decided_by: string | null; decided_at: number | null } | null;
  handoff: unknown;
};
type StepList = { object: string; run_id: string; data: StepView[]; first_id: number | null; last_id: number | null; has_more: boolean };
type RunView = { id: string; status: string; key_id: string; key_name: string | null; agent: { id: string; name: string | null; version: number } | null };
type ErrorBody = { error: { param: string | null; message: string } };

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  server = await startTestServer();
  await server.admin.post("/admin/providers", { body: { name: "scripted-steps", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
  await server.admin.put(`/admin/prices/${model}`, { body: { input_per_million: 3, output_per_million: 9 } });
  ledgerRows = newResponsesLedgerRows(server);
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

async function raw<T>(path: string, key = server.adminKey): Promise<{ status: number; json: T }> {
  const response = await fetch(`${server.url}/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, json: (await response.json()) as T };
}

async function pollRun(id: string, until: (run: { status: string }) => boolean, key = server.adminKey): Promise<RunView> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const { status, json } = await raw<RunView>(`/runs/${id}`, key);
    if (status === 200 && until(json)) return json;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`run ${id} never reached the expected state`);
}

describe("GET /v1/runs/{id}/steps", () => {
  it("shows each step's content: the model's tool call, the tool's arguments and output, the reply text, ledger tokens and cost", async () => {
    upstream.reset();
    await ledgerRows();
    upstream.on("user: Compute eight times five", { toolCall: { name: "calculator", arguments: { expression: "8*5" }, id: "call_eightfive" } });
    upstream.on("tool: 40", { text: "It is 40." });
    const response = await server.admin.responses.create({ model, input: "Compute eight times five", tools: [calculator] });
    expect(response.status).toBe("completed");
    const rows = await ledgerRows();
    expect(rows).toHaveLength(2);

    const { status, json } = await raw<StepList>(`/runs/${response.id}/steps`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: "list", run_id: response.id, first_id: 0, last_id: 2, has_more: false });
    const [first, tool, last] = json.data;
    expect(json.data.map((step) => [step.object, step.index, step.kind, step.status])).toEqual([
      ["run.step", 0, "model_call", "completed"],
      ["run.step", 1, "tool_call", "completed"],
      ["run.step", 2, "model_call", "completed"],
    ]);
    expect(first).toMatchObject({ model, finish_reason: "tool-calls", text: "", tool_calls: [{ call_id: "call_eightfive", name: "calculator", arguments: '{"expression":"8*5"}' }] });
    expect(tool).toMatchObject({ name: "calculator", server_label: "aiplus", call_id: "call_eightfive", arguments: '{"expression":"8*5"}', output: "40", error: null, model: null, usage: null, cost_usd: null });
    expect(last).toMatchObject({ model, text: "It is 40.", finish_reason: "stop", tool_calls: [] });
    // Tokens and cost are the ledger's, per model call.
    const [firstRow, lastRow] = [...rows].sort((a, b) => a.createdAt - b.createdAt);
    for (const [step, row] of [[first!, firstRow!], [last!, lastRow!]] as const) {
      expect(step.usage).toEqual({ input_tokens: row.inputTokens, output_tokens: row.outputTokens });
      expect(step.cost_usd).toBeCloseTo(row.costNanos / 1e9, 12);
    }
    for (const step of json.data) {
      expect(step.ended_at).not.toBeNull();
      expect(step.ended_at!).toBeGreaterThanOrEqual(step.started_at);
      expect(step.duration_ms).toBeGreaterThanOrEqual(0);
    }

    // Paging by step index.
    const page = (await raw<StepList>(`/runs/${response.id}/steps?limit=2`)).json;
    expect(page.data.map((step) => step.index)).toEqual([0, 1]);
    expect(page).toMatchObject({ first_id: 0, last_id: 1, has_more: true });
    const next = (await raw<StepList>(`/runs/${response.id}/steps?after=1&limit=2`)).json;
    expect(next.data.map((step) => step.index)).toEqual([2]);
    expect(next.has_more).toBe(false);
    const none = (await raw<StepList>(`/runs/${response.id}/steps?after=2`)).json;
    expect(none).toMatchObject({ data: [], first_id: null, last_id: null, has_more: false });
  });

  it("an approval step: pending while the run waits, then the decision with its reason; the denied call's error", async () => {
    upstream.reset();
    upstream.on("user: Add nine and one", { toolCall: { name: "calculator", arguments: { expression: "9+1" } } });
    upstream.on("tool: Error: the call was not approved: not now", { text: "Denied, so no sum." });
    const created = await server.admin.responses.create({ model, input: "Add nine and one", tools: [guardedCalculator], background: true });
    await pollRun(created.id, (run) => run.status === "awaiting_approval");
    const waiting = (await raw<StepList>(`/runs/${created.id}/steps`)).json.data;
    expect(waiting.map((step) => step.kind)).toEqual(["model_call", "approval"]);
    const approval = waiting[1]!;
    expect(approval).toMatchObject({ name: "calculator", arguments: '{"expression":"9+1"}', ended_at: null, duration_ms: null, approval: { status: "pending", reason: null, decided_at: null } });

    await server.admin.post(`/approvals/${approval.approval!.id}/deny`, { body: { reason: "not now" } });
    await pollRun(created.id, (run) => run.status === "completed");
    const done = (await raw<StepList>(`/runs/${created.id}/steps`)).json.data;
    expect(done.map((step) => step.kind)).toEqual(["model_call", "approval", "tool_call", "model_call"]);
    expect(done[1]!.approval).toMatchObject({ id: approval.approval!.id, status: "denied", reason: "not now" });
    expect(done[1]!.approval!.decided_at).not.toBeNull();
    expect(done[1]!.ended_at).not.toBeNull();
    expect(done[2]).toMatchObject({ kind: "tool_call", output: null, error: "the call was not approved: not now" });
    expect(done[3]!.text).toBe("Denied, so no sum.");
  });

  it("refuses bad paging with 400 naming the parameter, and another key's run with 404", async () => {
    upstream.reset();
    upstream.on("user: Say hello", { text: "Hello." });
    const created = await server.admin.responses.create({ model, input: "Say hello", background: true });
    await pollRun(created.id, (run) => run.status === "completed");
    for (const [query, param] of [["after=-1", "after"], ["after=x", "after"], ["limit=0", "limit"], ["limit=101", "limit"]] as const) {
      const { status, json } = await raw<ErrorBody>(`/runs/${created.id}/steps?${query}`);
      expect([status, json.error.param], query).toEqual([400, param]);
    }
    const other = await server.createKey({ name: "steps-other" });
    expect(await raw<ErrorBody>(`/runs/${created.id}/steps`, other.key)).toMatchObject({ status: 404, json: { error: { param: "run_id" } } });
    expect((await raw<ErrorBody>("/runs/resp_unknown/steps")).status).toBe(404);
  });
});

describe("GET /v1/runs", () => {
  it("filters by agent, names the key that started each run, and refuses a malformed agent id", async () => {
    const owner = await server.createKey({ name: "steps-agent-owner" });
    const ownerClient = server.client(owner.key);
    const agent = await ownerClient.post<{ id: string }>("/agents", { body: { name: "stepper", model, instructions: "Agent stepper." } });
    upstream.reset();
    upstream.on((request) => request.messages.some((message) => message.content?.includes("Agent stepper") === true), { text: "From the agent." });
    upstream.on("user: Without an agent", { text: "Plain." });
    const byAgent = await ownerClient.post<{ id: string }>("/responses", { body: { agent: { id: agent.id }, input: "With the agent", background: true } });
    const plain = await ownerClient.responses.create({ model, input: "Without an agent", background: true });
    await pollRun(byAgent.id, (run) => run.status === "completed", owner.key);
    await pollRun(plain.id, (run) => run.status === "completed", owner.key);

    const filtered = (await raw<{ data: RunView[]; has_more: boolean }>(`/runs?agent=${agent.id}`, owner.key)).json;
    expect(filtered.data.map((run) => run.id)).toEqual([byAgent.id]);
    expect(filtered.data[0]).toMatchObject({ key_id: owner.id, key_name: "steps-agent-owner", agent: { id: agent.id, name: "stepper", version: 1 } });
    const all = (await raw<{ data: RunView[] }>("/runs", owner.key)).json;
    expect(all.data.map((run) => run.id)).toEqual([plain.id, byAgent.id]);
    // An admin sees it too, with the key's name; the filter combines with status.
    const adminView = (await raw<{ data: RunView[] }>(`/runs?agent=${agent.id}&status=completed`)).json;
    expect(adminView.data.map((run) => [run.id, run.key_name])).toEqual([[byAgent.id, "steps-agent-owner"]]);
    expect((await raw<{ data: RunView[] }>(`/runs?agent=${agent.id}&status=failed`)).json.data).toEqual([]);

    const bad = await raw<ErrorBody>("/runs?agent=stepper");
    expect([bad.status, bad.json.error.param]).toEqual([400, "agent"]);
  });
});
