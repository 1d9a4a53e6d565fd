import type OpenAI from "openai";
import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { type ScriptedRequest, ScriptedUpstream } from "../support/scripted-upstream.js";
import { newResponsesLedgerRows, postResponses } from "./responses-support.js";

// Responses run by agents (`agent: {id, version}`): instructions with memory, memory tools, fallback models, limits,
// planning, handoffs and agents as tools, against the real server, a scripted upstream and the official openai client.
let server: TestServer;
let upstream: ScriptedUpstream;
let alice: OpenAI;
let aliceKey: { id: string; key: string };
let bobKey: string;
let ledgerRows: ReturnType<typeof newResponsesLedgerRows>;

type AgentView = { id: string; name: string; version: number };
type Item = { type: string; status?: string; error?: string | null; name?: string; content?: unknown; revision?: number };
type RunView = Omit<OpenAIResponse, "output"> & { output: Item[]; run_status?: string; incomplete_details: { reason: string } | null; agent?: { id: string; version: number } };

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  server = await startTestServer();
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: ["agent-model", "priced-model"], priority: 1 } });
  // Nothing listens on port 9: every call of `dead-model` fails before any output.
  await server.admin.post("/admin/providers", { body: { name: "dead", base_url: "http://127.0.0.1:9/v1", api_key: "sk-dead", models: ["dead-model"], priority: 1 } });
  aliceKey = await server.createKey({ name: "alice" });
  alice = server.client(aliceKey.key);
  bobKey = (await server.createKey({ name: "bob" })).key;
  ledgerRows = newResponsesLedgerRows(server);
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

const createAgent = (definition: Record<string, unknown>, client: OpenAI = alice) => client.post<AgentView>("/agents", { body: { model: "agent-model", ...definition } });
const run = (body: Record<string, unknown>, client: OpenAI = alice) => client.responses.create(body as never) as unknown as Promise<RunView>;
const system = (request: ScriptedRequest) => request.messages[0]?.role === "system" ? (request.messages[0].content ?? "") : "";
const last = (request: ScriptedRequest) => request.messages.at(-1);
/** A rule: the agent's instructions contain `marker` and the last message is `role` with content containing `text`. */
const when = (marker: string, role: string, text: string) => (request: ScriptedRequest) => system(request).includes(marker) && last(request)?.role === role && (last(request)?.content ?? "").includes(text);

describe("agent instructions and memory", () => {
  let helper: AgentView;

  it("renders profile, instructions and memory blocks; a memory tool call edits the block of this key and user", async () => {
    helper = await createAgent({
      name: "helper",
      profile: { role: "assistant", persona: "Friendly and brief." },
      instructions: "Agent helper: answer in one line.",
      tools: [{ type: "builtin", name: "memory" }],
      memory: { blocks: [{ label: "human", description: "about the user", limit_chars: 40, initial_value: "Name: unknown" }] },
    });
    upstream.reset();
    upstream.on(when("Agent helper", "user", "My name is Ada"), { toolCall: { name: "memory_replace", arguments: { label: "human", old: "unknown", new: "Ada" } } });
    upstream.on(when("Agent helper", "tool", "now holds"), { text: "Noted, Ada." });
    const response = await run({ agent: { id: helper.id }, input: "My name is Ada", user: "u1" });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe("Noted, Ada.");
    expect(response.agent).toEqual({ id: helper.id, version: 1 });
    const first = system(upstream.requests[0]!);
    expect(first).toContain("Role: assistant");
    expect(first).toContain("Friendly and brief.");
    expect(first).toContain("Agent helper: answer in one line.");
    expect(first).toContain('<memory_block label="human" chars="13/40">');
    expect(first).toContain("Name: unknown");
    expect(upstream.requests[0]!.tools?.map((tool) => tool.function.name)).toEqual(expect.arrayContaining(["memory_replace", "memory_append"]));
    // The second call sees the edited block.
    expect(system(upstream.requests[1]!)).toContain("Name: Ada");
    const memory = await alice.get<{ data: Array<{ label: string; value: string }> }>(`/agents/${helper.id}/memory?user=u1`);
    expect(memory.data).toEqual([expect.objectContaining({ label: "human", value: "Name: Ada" })]);
  });

  it("a write over the block's limit is the tool call's error (the model sees it), not a failed run", async () => {
    upstream.reset();
    upstream.on(when("Agent helper", "user", "Remember everything"), { toolCall: { name: "memory_append", arguments: { label: "human", text: "x".repeat(100) } } });
    upstream.on(when("Agent helper", "tool", "Error:"), { text: "That does not fit." });
    const response = await run({ agent: { id: helper.id }, input: "Remember everything", user: "u1" });
    expect(response.status).toBe("completed");
    const call = response.output.find((item) => item.type === "mcp_call");
    expect(call).toMatchObject({ name: "memory_append", status: "failed" });
    expect(call?.error).toContain("limit_chars is 40");
    expect(last(upstream.requests[1]!)?.content).toContain("limit_chars is 40");
    const memory = await alice.get<{ data: Array<{ value: string }> }>(`/agents/${helper.id}/memory?user=u1`);
    expect(memory.data[0]?.value).toBe("Name: Ada");
  });

  it("memory_replace is held to the same limit (the agent's other write path)", async () => {
    upstream.reset();
    upstream.on(when("Agent helper", "user", "Call me something long"), { toolCall: { name: "memory_replace", arguments: { label: "human", old: "Ada", new: "y".repeat(60) } } });
    upstream.on(when("Agent helper", "tool", "Error:"), { text: "Too long a name." });
    const response = await run({ agent: { id: helper.id }, input: "Call me something long", user: "u1" });
    expect(response.status).toBe("completed");
    const call = response.output.find((item) => item.type === "mcp_call");
    expect(call).toMatchObject({ name: "memory_replace", status: "failed" });
    expect(call?.error).toContain("limit_chars is 40");
    const memory = await alice.get<{ data: Array<{ value: string }> }>(`/agents/${helper.id}/memory?user=u1`);
    expect(memory.data[0]?.value).toBe("Name: Ada");
  });

  it("memory is never shared across keys: another key running the same agent sees its own blocks; a foreign agent is a 404", async () => {
    upstream.reset();
    upstream.on(when("Agent helper", "user", "Who am I?"), { text: "I do not know." });
    const response = await run({ agent: { id: helper.id }, input: "Who am I?", user: "u1" }, server.admin);
    expect(response.status).toBe("completed");
    expect(system(upstream.requests[0]!)).toContain("Name: unknown");
    expect(system(upstream.requests[0]!)).not.toContain("Ada");
    const foreign = await postResponses(server, { agent: { id: helper.id }, input: "Who am I?" }, bobKey);
    expect(foreign.status).toBe(404);
    expect(foreign.json.error).toMatchObject({ param: "agent.id", code: "agent_not_found" });
    const noModel = await postResponses(server, { input: "Who am I?" }, bobKey);
    expect(noModel.status).toBe(400);
    expect(noModel.json.error.param).toBe("model");
    const badVersion = await postResponses(server, { agent: { id: helper.id, version: 7 }, input: "Who am I?" }, aliceKey.key);
    expect(badVersion.status).toBe(404);
    expect(badVersion.json.error.param).toBe("agent.version");
  });

  it("recall searches this agent's past conversations with this user", async () => {
    const recaller = await createAgent({ name: "recaller", instructions: "Agent recaller.", memory: { recall: true } });
    upstream.reset();
    upstream.on(when("Agent recaller", "user", "My favourite colour is teal"), { text: "Teal it is." });
    upstream.on(when("Agent recaller", "user", "What is my favourite colour?"), { toolCall: { name: "conversation_search", arguments: { query: "colour" } } });
    upstream.on(when("Agent recaller", "tool", "teal"), { text: "Teal." });
    await run({ agent: { id: recaller.id }, input: "My favourite colour is teal", user: "u2" });
    const response = await run({ agent: { id: recaller.id }, input: "What is my favourite colour?", user: "u2" });
    expect(response.output_text).toBe("Teal.");
    const call = response.output.find((item) => item.type === "mcp_call") as Item & { output: string };
    expect(call.output).toContain("user: My favourite colour is teal");
    // Another user of the same agent and key recalls nothing of u2's.
    upstream.on(when("Agent recaller", "tool", "no results"), { text: "I do not know." });
    expect((await run({ agent: { id: recaller.id }, input: "What is my favourite colour?", user: "u3" })).output_text).toBe("I do not know.");
  });
});

describe("approval policy", () => {
  it("a tool the agent's policy guards pauses the run for the inbox; approved, it runs and the run completes", async () => {
    const agent = await createAgent({
      name: "careful",
      instructions: "Agent careful.",
      tools: [{ type: "builtin", name: "memory" }],
      memory: { blocks: [{ label: "notes" }] },
      approval: { default: "never", per_tool: { memory_append: "always" } },
    });
    upstream.reset();
    upstream.on(when("Agent careful", "user", "Note this"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "noted" } } });
    upstream.on(when("Agent careful", "tool", "now holds"), { text: "Saved." });
    const paused = await run({ agent: { id: agent.id }, input: "Note this" });
    expect(paused.run_status).toBe("awaiting_approval");
    expect(paused.output.map((item) => item.type)).toEqual(["mcp_approval_request"]);
    const inbox = await alice.get<{ data: Array<{ id: string; response_id: string; name: string }> }>("/approvals");
    const approval = inbox.data.find((entry) => entry.response_id === paused.id)!;
    expect(approval.name).toBe("memory_append");
    await alice.post(`/approvals/${approval.id}/approve`);
    let done = paused;
    for (let attempt = 0; attempt < 400 && done.status !== "completed"; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      done = (await alice.responses.retrieve(paused.id)) as unknown as RunView;
    }
    expect(done.status).toBe("completed");
    expect(done.output_text).toBe("Saved.");
    expect((await alice.get<{ data: Array<{ value: string }> }>(`/agents/${agent.id}/memory`)).data[0]?.value).toBe("noted");
  });
});

describe("models and limits", () => {
  it("falls back to the next model when the agent's model fails before any output", async () => {
    const agent = await createAgent({ name: "fallback", model: "dead-model", fallback_models: ["agent-model"], instructions: "Agent fallback." });
    upstream.reset();
    upstream.on(when("Agent fallback", "user", "Hello fallback"), { text: "From the backup." });
    const response = await run({ agent: { id: agent.id }, input: "Hello fallback" });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe("From the backup.");
    expect(upstream.requests.map((request) => request.model)).toEqual(["agent-model"]);
  });

  it("max_steps: the run ends incomplete when the next model call would exceed it", async () => {
    const agent = await createAgent({ name: "stepper", instructions: "Agent stepper.", tools: [{ type: "builtin", name: "memory" }], memory: { blocks: [{ label: "notes" }] }, limits: { max_steps: 1 } });
    upstream.reset();
    upstream.on(when("Agent stepper", "user", "Keep going"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "a" } } });
    const response = await run({ agent: { id: agent.id }, input: "Keep going" });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_steps" });
    expect(upstream.requests).toHaveLength(1);
  });

  it("max_tool_calls: the run ends incomplete at the limit", async () => {
    const agent = await createAgent({ name: "caller", instructions: "Agent caller.", tools: [{ type: "builtin", name: "memory" }], memory: { blocks: [{ label: "notes" }] }, limits: { max_tool_calls: 1 } });
    upstream.reset();
    upstream.on(when("Agent caller", "user", "Call tools"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "a" } } });
    upstream.on(when("Agent caller", "tool", "now holds"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "b" } } });
    const response = await run({ agent: { id: agent.id }, input: "Call tools" });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_tool_calls" });
    expect(response.output.filter((item) => item.type === "mcp_call")).toHaveLength(1);
  });

  it("max_cost: the run ends incomplete once its calls cost that much in the ledger", async () => {
    // $1 per token: each scripted reply (10 + 5 tokens) costs $15.
    await server.admin.put("/admin/prices/priced-model", { body: { input_per_million: 1_000_000, output_per_million: 1_000_000 } });
    const agent = await createAgent({ name: "spender", model: "priced-model", instructions: "Agent spender.", tools: [{ type: "builtin", name: "memory" }], memory: { blocks: [{ label: "notes" }] }, limits: { max_cost: 20 } });
    upstream.reset();
    await ledgerRows();
    upstream.on(when("Agent spender", "user", "Spend"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "a" } } });
    upstream.on(when("Agent spender", "tool", "now holds"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "b" } } });
    const response = await run({ agent: { id: agent.id }, input: "Spend" });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_cost" });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.keyId === aliceKey.id)).toBe(true);
  });
});

describe("max_cost across nested runs and handoffs", () => {
  // $1 per token: each scripted reply (10 + 5 tokens) costs $15 (the price is set by the max_cost test above too).
  const priced = () => server.admin.put("/admin/prices/priced-model", { body: { input_per_million: 1_000_000, output_per_million: 1_000_000 } });

  it("an agent used as a tool spends from the parent run's max_cost: the nested run is stopped and the parent ends incomplete", async () => {
    await priced();
    await createAgent({ name: "digger", model: "priced-model", instructions: "Agent digger.", tools: [{ type: "builtin", name: "memory" }], memory: { blocks: [{ label: "notes" }] } });
    const manager = await createAgent({ name: "manager", model: "priced-model", instructions: "Agent manager.", tools: [{ type: "agent", agent: "digger", name: "ask_digger" }], limits: { max_cost: 20 } });
    upstream.reset();
    await ledgerRows();
    upstream.on(when("Agent manager", "user", "Find it"), { toolCall: { name: "ask_digger", arguments: { input: "Dig deeper" } } });
    // The nested agent would loop on its memory tool until its own max_steps (8 calls) if nothing stopped it.
    upstream.on(when("Agent digger", "user", "Dig deeper"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "a" } } });
    upstream.on(when("Agent digger", "tool", "now holds"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "b" } } });
    upstream.on(when("Agent manager", "tool", "max_cost"), { text: "Out of money." });
    const response = await run({ agent: { id: manager.id }, input: "Find it" });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_cost" });
    // One call of the manager ($15) and one of the digger ($15, total $30 ≥ $20): the digger's second call never happens.
    expect(upstream.requests.map((request) => system(request).includes("Agent digger") ? "digger" : "manager")).toEqual(["manager", "digger"]);
    const call = response.output.find((item) => item.type === "mcp_call");
    expect(call).toMatchObject({ name: "ask_digger", status: "failed" });
    expect(call?.error).toContain("the run reached its max_cost");
    const rows = await ledgerRows();
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.keyId === aliceKey.id)).toBe(true);
    // The nested call is recorded under the run (a resumed run counts it too).
    const nested = await server.platform.database.db.selectFrom("run_nested_calls").select("ledger_request_id").where("response_id", "=", response.id).execute();
    expect(nested).toHaveLength(1);
  });

  it("a nested run under budget completes and its cost counts: the parent's next call is refused once the total reaches max_cost", async () => {
    await priced();
    await createAgent({ name: "quick", model: "priced-model", instructions: "Agent quick." });
    const lead = await createAgent({ name: "lead", model: "priced-model", instructions: "Agent lead.", tools: [{ type: "agent", agent: "quick", name: "ask_quick" }], limits: { max_cost: 40 } });
    upstream.reset();
    await ledgerRows();
    upstream.on(when("Agent lead", "user", "Delegate"), { toolCall: { name: "ask_quick", arguments: { input: "Answer quickly" } } });
    upstream.on(when("Agent quick", "user", "Answer quickly"), { text: "42" });
    upstream.on(when("Agent lead", "tool", "42"), { toolCall: { name: "ask_quick", arguments: { input: "Answer quickly" } } });
    const response = await run({ agent: { id: lead.id }, input: "Delegate" });
    // lead $15 → quick $15 (nested, completed) → lead $15 (total $45 ≥ $40) asks again → its nested run is refused.
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_cost" });
    const calls = response.output.filter((item) => item.type === "mcp_call");
    expect(calls.map((item) => item.status)).toEqual(["completed", "failed"]);
    expect(await ledgerRows()).toHaveLength(3);
    // The run's cost is what max_cost limited: its own two calls and the nested one; the trace's root says the same.
    const summary = await alice.get<{ cost_usd: number; nested_model_calls: number; nested_cost_usd: number; model_calls: number }>(`/runs/${response.id}`);
    expect(summary).toMatchObject({ model_calls: 2, nested_model_calls: 1 });
    expect(summary.cost_usd).toBeCloseTo(45, 9);
    expect(summary.nested_cost_usd).toBeCloseTo(15, 9);
    const trace = await alice.get<{ spans: Array<{ parent_span_id: string | null; attributes: Record<string, unknown> }> }>(`/runs/${response.id}/trace`);
    const root = trace.spans.find((span) => span.parent_span_id === null);
    expect(root?.attributes["aiplus.cost_usd"]).toBeCloseTo(45, 9);
    expect(root?.attributes["aiplus.nested_cost_usd"]).toBeCloseTo(15, 9);
  });

  it("a handoff target spends from the run's max_cost (the limits of the response's agent apply)", async () => {
    await priced();
    await createAgent({ name: "looper", model: "priced-model", instructions: "Agent looper.", tools: [{ type: "builtin", name: "memory" }], memory: { blocks: [{ label: "notes" }] } });
    const front = await createAgent({ name: "front", model: "priced-model", instructions: "Agent front.", handoffs: ["looper"], limits: { max_cost: 20 } });
    upstream.reset();
    await ledgerRows();
    upstream.on(when("Agent front", "user", "Help me"), { toolCall: { name: "transfer_to_looper", arguments: {} } });
    upstream.on(when("Agent looper", "tool", "Transferred"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "a" } } });
    upstream.on(when("Agent looper", "tool", "now holds"), { toolCall: { name: "memory_append", arguments: { label: "notes", text: "b" } } });
    const response = await run({ agent: { id: front.id }, input: "Help me" });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_cost" });
    expect(upstream.requests).toHaveLength(2);
    expect(system(upstream.requests[1]!)).toContain("Agent looper");
    expect(await ledgerRows()).toHaveLength(2);
  });
});

describe("planning, handoffs and agents as tools", () => {
  it("writes a plan first, reflects on a tool error and revises the plan; both plans are output items and steps", async () => {
    const agent = await createAgent({ name: "planner", planning: true, instructions: "Agent planner.", tools: [{ type: "builtin", name: "memory" }], memory: { blocks: [{ label: "notes" }] } });
    upstream.reset();
    upstream.on(when("Agent planner", "user", "Write a short numbered plan"), { text: "1. Save a note\n2. Answer" });
    upstream.on(when("Agent planner", "user", "Plan this"), { toolCall: { name: "memory_replace", arguments: { label: "notes", old: "missing", new: "x" } } });
    upstream.on(when("Agent planner", "user", "Revise the plan"), { text: "1. Answer without the note" });
    upstream.on(when("Agent planner", "tool", "Error:"), { text: "Done." });
    const response = await run({ agent: { id: agent.id }, input: "Plan this" });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe("Done.");
    expect(response.output.map((item) => item.type)).toEqual(["plan", "mcp_call", "plan", "message"]);
    expect(response.output[0]).toMatchObject({ type: "plan", revision: 1, content: "1. Save a note\n2. Answer" });
    expect(response.output[2]).toMatchObject({ type: "plan", revision: 2, content: "1. Answer without the note" });
    // The first real call follows the plan; the call after the error reflects on it with the revised plan.
    expect(system(upstream.requests[1]!)).toContain("1. Save a note");
    const after = system(upstream.requests[3]!);
    expect(after).toContain("1. Answer without the note");
    expect(after).toMatch(/the tool memory_replace failed with: .*does not contain/);
    const steps = await server.platform.runs.store.steps(response.id);
    expect(steps.map((step) => step.kind)).toEqual(["plan", "model_call", "tool_call", "plan", "model_call"]);
    // The plan is in the stored transcript (the response as retrieved).
    expect(((await alice.responses.retrieve(response.id)) as unknown as RunView).output[0]).toMatchObject({ type: "plan" });
  });

  it("a handoff switches the run's agent: the next call has the other agent's instructions; a handoff step is logged", async () => {
    await createAgent({ name: "billing", instructions: "Agent billing: you handle refunds." });
    const triage = await createAgent({ name: "triage", instructions: "Agent triage: route the customer.", handoffs: ["billing"] });
    upstream.reset();
    upstream.on(when("Agent triage", "user", "I need a refund"), { toolCall: { name: "transfer_to_billing", arguments: {} } });
    upstream.on(when("Agent billing", "tool", "Transferred to the agent 'billing'"), { text: "Refund issued." });
    const response = await run({ agent: { id: triage.id }, input: "I need a refund" });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe("Refund issued.");
    expect(upstream.requests[0]!.tools?.map((tool) => tool.function.name)).toContain("transfer_to_billing");
    expect(system(upstream.requests[1]!)).toContain("Agent billing");
    expect(system(upstream.requests[1]!)).not.toContain("Agent triage");
    const steps = await server.platform.runs.store.steps(response.id);
    expect(steps.map((step) => step.kind)).toEqual(["model_call", "tool_call", "handoff", "model_call"]);
    expect(steps[2]!.input).toMatchObject({ from: "triage", to: { name: "billing" } });
  });

  it("an agent used as a tool runs as a nested sub-run billed to the same key; nesting is depth-limited", async () => {
    await createAgent({ name: "expert", instructions: "Agent expert." });
    const boss = await createAgent({ name: "boss", instructions: "Agent boss.", tools: [{ type: "agent", agent: "expert", name: "ask_expert" }] });
    upstream.reset();
    await ledgerRows();
    upstream.on(when("Agent boss", "user", "Ask the expert"), { toolCall: { name: "ask_expert", arguments: { input: "What is 2+2?" } } });
    upstream.on(when("Agent expert", "user", "What is 2+2?"), { text: "4" });
    upstream.on(when("Agent boss", "tool", "4"), { text: "The expert says 4." });
    const response = await run({ agent: { id: boss.id }, input: "Ask the expert" });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe("The expert says 4.");
    expect(response.output.find((item) => item.type === "mcp_call")).toMatchObject({ name: "ask_expert", status: "completed", output: "4" });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.keyId === aliceKey.id && row.status === "ok")).toBe(true);
  });

  it("agents that use each other as tools stop at the depth limit instead of looping", async () => {
    await createAgent({ name: "ping", instructions: "Agent ping." });
    await createAgent({ name: "pong", instructions: "Agent pong.", tools: [{ type: "agent", agent: "ping" }] });
    const ping = await createAgent({ name: "ping", instructions: "Agent ping.", tools: [{ type: "agent", agent: "pong" }] }).catch(async () => {
      const existing = await alice.get<{ data: AgentView[] }>("/agents");
      const found = existing.data.find((agent) => agent.name === "ping")!;
      return alice.post<AgentView>(`/agents/${found.id}`, { body: { name: "ping", model: "agent-model", instructions: "Agent ping.", tools: [{ type: "agent", agent: "pong" }] } });
    });
    upstream.reset();
    upstream.on(when("Agent ping", "user", "Bounce"), { toolCall: { name: "pong", arguments: { input: "Bounce" } } });
    upstream.on(when("Agent pong", "user", "Bounce"), { toolCall: { name: "ping", arguments: { input: "Bounce" } } });
    upstream.on(when("Agent pong", "tool", "nest at most 3 deep"), { text: "Too deep." });
    upstream.on(when("Agent ping", "tool", "Too deep."), { text: "Gave up." });
    upstream.on(when("Agent ping", "tool", "Gave up."), { text: "Stopped." });
    upstream.on(when("Agent pong", "tool", "Gave up."), { text: "Gave up." });
    const response = await run({ agent: { id: ping.id }, input: "Bounce" });
    expect(response.status).toBe("completed");
    expect(upstream.requests.some((request) => (last(request)?.content ?? "").includes("nest at most 3 deep"))).toBe(true);
  });
});
