import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendLineTool } from "../support/append-line-tool.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream, type ScriptedRequest } from "../support/scripted-upstream.js";

// Workflow `agent` steps run the agent through the Responses run loop (its tools, memory, limits); `tool` steps honour
// a tool's requiresApproval; waiting steps (questions and tool calls) are in the approvals inbox with a `kind`.
const model = "remote-model";
let server: TestServer;
let upstream: ScriptedUpstream;
let toolLog: string;

type RunJson = { id: string; status: string; output: unknown; error: { code: string; message: string } | null; steps: Array<{ id: string; status: string; output: any; error: string | null }> };
type Inbox = { data: Array<{ id: string; kind: string; response_id?: string | null; workflow_run_id?: string; step_id?: string; name: string | null; arguments: string | null; prompt?: string | null; schema?: unknown }> };

async function call(method: string, route: string, body?: unknown, key = server.adminKey): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1${route}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

async function settle(runId: string, until = (run: RunJson) => !["queued", "running"].includes(run.status), key = server.adminKey): Promise<RunJson> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { json } = await call("GET", `/workflow-runs/${runId}`, undefined, key);
    if (until(json as RunJson)) return json as RunJson;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} did not settle`);
}

async function start(definition: unknown, key = server.adminKey, inputs: Record<string, unknown> = {}): Promise<string> {
  const created = await call("POST", "/workflows", definition, key);
  expect(created.status, JSON.stringify(created.json)).toBe(200);
  const started = await call("POST", `/workflows/${created.json.id}/runs`, { inputs }, key);
  expect(started.status, JSON.stringify(started.json)).toBe(200);
  return started.json.id as string;
}

const system = (request: ScriptedRequest) => (request.messages[0]?.role === "system" ? (request.messages[0].content ?? "") : "");

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  server = await startTestServer();
  toolLog = path.join(server.home, "tool-log.txt");
  server.platform.serverTools.register({ ...appendLineTool(toolLog), name: "guarded_append", requiresApproval: true });
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
});

afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

describe("agent steps", () => {
  it("run the agent through the run loop: its memory tool is called and executed, its answer is the step's output", async () => {
    const agent = await call("POST", "/agents", { name: "wf-notetaker", model, instructions: "Agent wf-notetaker.", tools: [{ type: "builtin", name: "memory" }], memory: { blocks: [{ label: "notes", limit_chars: 200 }] } });
    expect(agent.status, JSON.stringify(agent.json)).toBe(200);
    upstream.reset();
    upstream.on((request) => system(request).includes("Agent wf-notetaker") && request.messages.at(-1)?.role === "user", { toolCall: { name: "memory_append", arguments: { label: "notes", text: "tea" } } });
    upstream.on((request) => system(request).includes("Agent wf-notetaker") && request.messages.at(-1)?.role === "tool", { text: "Noted tea." });
    const runId = await start({ name: "agent-step", inputs: { topic: { type: "string" } }, steps: [{ id: "note", type: "agent", agent: "wf-notetaker", input: "Remember {{inputs.topic}}" }] }, server.adminKey, { topic: "tea" });
    const run = await settle(runId);
    expect(run.status, JSON.stringify(run)).toBe("completed");
    expect(run.output).toBe("Noted tea.");
    // Two model calls of the agent's run: the tool call (executed by the run loop) and the answer after its result.
    expect(upstream.requests).toHaveLength(2);
    expect(upstream.requests[1]!.messages.at(-1)).toMatchObject({ role: "tool" });
    expect(String(upstream.requests[1]!.messages.at(-1)?.content)).toMatch(/notes/);
  });
});

describe("approvals of workflow runs", () => {
  it("a tool that requires approval pauses the run; the inbox lists it (kind tool_call) and approving runs it", async () => {
    const runId = await start({ name: "guarded", steps: [{ id: "write", type: "tool", tool: "guarded_append", arguments: { text: "hello" } }] });
    const paused = await settle(runId, (run) => run.status === "awaiting_input");
    expect(paused.steps[0]).toMatchObject({ id: "write", status: "waiting", output: { kind: "tool_call", tool: "guarded_append" } });
    expect(fs.existsSync(toolLog)).toBe(false);
    const inbox = (await call("GET", "/approvals")).json as Inbox;
    const item = inbox.data.find((entry) => entry.workflow_run_id === runId)!;
    expect(item).toMatchObject({ kind: "tool_call", step_id: "write", name: "guarded_append", arguments: JSON.stringify({ text: "hello" }) });
    // /input answers questions only.
    expect((await call("POST", `/workflow-runs/${runId}/input`, { input: "x" })).status).toBe(409);
    expect((await call("POST", `/approvals/${item.id}/approve`)).status).toBe(200);
    const done = await settle(runId);
    expect(done.status, JSON.stringify(done)).toBe("completed");
    expect(done.output).toBe("appended: hello");
    expect(fs.readFileSync(toolLog, "utf8")).toMatch(/^hello\t/);
    expect((await call("POST", `/approvals/${item.id}/approve`)).status).toBe(409);
  });

  it("a denied tool call fails the step and the run without running the tool", async () => {
    const runId = await start({ name: "guarded-deny", steps: [{ id: "write", type: "tool", tool: "guarded_append", arguments: { text: "never" } }] });
    await settle(runId, (run) => run.status === "awaiting_input");
    const item = ((await call("GET", "/approvals")).json as Inbox).data.find((entry) => entry.workflow_run_id === runId)!;
    expect((await call("POST", `/approvals/${item.id}/deny`, { reason: "not now" })).status).toBe(200);
    const done = await settle(runId);
    expect(done.status).toBe("failed");
    expect(done.steps[0]!.error).toMatch(/denied: not now/);
    expect(fs.readFileSync(toolLog, "utf8")).not.toContain("never");
  });

  it("a human_input step is in the inbox (kind human_input) and answered there with an input checked against its schema", async () => {
    const owner = await server.createKey({ name: "asker", models: [model] });
    const other = await server.createKey({ name: "stranger", models: [model] });
    const runId = await start(
      {
        name: "ask-inbox",
        steps: [
          { id: "ask", type: "human_input", prompt: "Ship it?", schema: { type: "object", properties: { ship: { type: "boolean" } }, required: ["ship"] }, next: "echo" },
          { id: "echo", type: "condition", cases: [{ when: "steps.ask.output.ship == true", next: "yes" }] },
          { id: "yes", type: "tool", tool: "calculator", arguments: { expression: "1+1" } },
        ],
      },
      owner.key,
    );
    await settle(runId, (run) => run.status === "awaiting_input", owner.key);
    const inbox = (await call("GET", "/approvals", undefined, owner.key)).json as Inbox;
    const item = inbox.data.find((entry) => entry.workflow_run_id === runId)!;
    expect(item).toMatchObject({ kind: "human_input", step_id: "ask", prompt: "Ship it?", schema: { required: ["ship"] } });
    expect(((await call("GET", "/approvals", undefined, other.key)).json as Inbox).data.some((entry) => entry.workflow_run_id === runId)).toBe(false);
    expect((await call("POST", `/approvals/${item.id}/approve`, { input: { ship: true } }, other.key)).status).toBe(404);
    const bad = await call("POST", `/approvals/${item.id}/approve`, { input: { ship: "yes" } }, owner.key);
    expect([bad.status, bad.json.error.param]).toEqual([400, "input.ship"]);
    expect((await call("POST", `/approvals/${item.id}/approve`, { input: { ship: true } }, owner.key)).status).toBe(200);
    const done = await settle(runId, undefined, owner.key);
    expect(done.status, JSON.stringify(done)).toBe("completed");
    expect(done.steps.find((step) => step.id === "ask")?.output).toEqual({ ship: true });
  });

  it("response runs' approvals say kind tool_call too", async () => {
    upstream.reset();
    upstream.on("user: Append please", { toolCall: { name: "guarded_append", arguments: { text: "from a response" } } });
    const response = await server.client(server.adminKey).responses.create({ model, input: "Append please", tools: [{ type: "server_tool", name: "guarded_append" } as never] });
    const inbox = (await call("GET", "/approvals")).json as Inbox;
    expect(inbox.data.find((entry) => entry.response_id === response.id)).toMatchObject({ kind: "tool_call", name: "guarded_append" });
  });
});
