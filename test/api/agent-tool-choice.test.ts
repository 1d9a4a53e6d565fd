import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

// A named tool_choice may force one of the agent's own tools (here a handoff), on a real local model under the
// tool-call grammar: the forced call of a tool the agent's policy guards pauses the run for the inbox.
let server: TestServer;
let alice: OpenAI;
let aliceKey: string;

type RunView = { id: string; status: string; incomplete_reason: string | null; error: { code: string; message: string } | null; pending_approvals: number };
type StepView = { kind: string; name: string | null; arguments: string | null; output: string | null; error: string | null; approval: { id: string; status: string; reason: string | null } | null };

beforeAll(async () => {
  server = await startTestServer({ contextSize: 512 });
  await server.addModel("llama-2-tiny-random.gguf", "tiny");
  aliceKey = (await server.createKey({ name: "alice-tool-choice" })).key;
  alice = server.client(aliceKey);
  await alice.post("/agents", { body: { name: "helper", model: "tiny" } });
  await alice.post("/agents", {
    body: { name: "guarded", model: "tiny", handoffs: ["helper"], approval: { default: "never", per_tool: { transfer_to_helper: "always" } }, limits: { max_steps: 1 } },
  });
}, 120_000);
afterAll(async () => server?.close());

async function get<T>(path: string): Promise<{ status: number; json: T }> {
  const response = await fetch(`${server.url}/v1${path}`, { headers: { authorization: `Bearer ${aliceKey}` } });
  return { status: response.status, json: (await response.json()) as T };
}

async function post(path: string, body: unknown): Promise<{ status: number; json: { id: string; error?: { param: string | null; message: string } } }> {
  const response = await fetch(`${server.url}/v1${path}`, { method: "POST", headers: { authorization: `Bearer ${aliceKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as { id: string; error?: { param: string | null; message: string } } };
}

async function pollRun(id: string, until: (run: RunView) => boolean): Promise<RunView> {
  for (let attempt = 0; attempt < 1200; attempt++) {
    const { json } = await get<RunView>(`/runs/${id}`);
    if (until(json)) return json;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${id} never reached the expected state`);
}

const ended = (run: RunView) => ["completed", "failed", "cancelled", "incomplete"].includes(run.status);

describe("tool_choice naming an agent's tool", () => {
  it("forces the agent's guarded handoff: the run waits for approval, then goes on after the decision", async () => {
    const started = await post("/responses", { agent: { id: "guarded" }, input: "Hello", background: true, tool_choice: { type: "function", name: "transfer_to_helper" } });
    expect(started.status).toBe(200);
    const paused = await pollRun(started.json.id, (run) => run.status === "awaiting_approval" || ended(run));
    expect(paused).toMatchObject({ status: "awaiting_approval", pending_approvals: 1 });
    const steps = (await get<{ data: StepView[] }>(`/runs/${started.json.id}/steps`)).json.data;
    expect(steps.map((step) => step.kind)).toEqual(["model_call", "approval"]);
    expect(steps[1]).toMatchObject({ name: "transfer_to_helper", arguments: "{}", approval: { status: "pending" } });

    const inbox = await alice.get<{ data: Array<{ id: string; response_id: string | null; name: string }> }>("/approvals");
    const item = inbox.data.find((entry) => entry.response_id === started.json.id)!;
    expect(item.name).toBe("transfer_to_helper");
    await alice.post(`/approvals/${item.id}/approve`);
    // The approved handoff runs; the agent's max_steps (1 model call) then ends the run.
    const done = await pollRun(started.json.id, ended);
    expect(done).toMatchObject({ status: "incomplete", incomplete_reason: "max_steps", pending_approvals: 0 });
    const after = (await get<{ data: StepView[] }>(`/runs/${started.json.id}/steps`)).json.data;
    expect(after.map((step) => step.kind)).toEqual(["model_call", "approval", "tool_call", "handoff"]);
    expect(after[2]).toMatchObject({ name: "transfer_to_helper", output: "Transferred to the agent 'helper'.", error: null });
  });

  it("a denial with a reason: the call's result is the denial, and the run goes on to its end", async () => {
    const started = await post("/responses", { agent: { id: "guarded" }, input: "Hello again", background: true, tool_choice: { type: "function", name: "transfer_to_helper" } });
    await pollRun(started.json.id, (run) => run.status === "awaiting_approval" || ended(run));
    const inbox = await alice.get<{ data: Array<{ id: string; response_id: string | null }> }>("/approvals");
    const item = inbox.data.find((entry) => entry.response_id === started.json.id)!;
    await alice.post(`/approvals/${item.id}/deny`, { body: { reason: "stay with me" } });
    const done = await pollRun(started.json.id, ended);
    expect(done).toMatchObject({ status: "incomplete", incomplete_reason: "max_steps" });
    const steps = (await get<{ data: StepView[] }>(`/runs/${started.json.id}/steps`)).json.data;
    expect(steps.map((step) => step.kind)).toEqual(["model_call", "approval", "tool_call"]);
    expect(steps[1]!.approval).toMatchObject({ status: "denied", reason: "stay with me" });
    expect(steps[2]).toMatchObject({ output: null, error: "the call was not approved: stay with me" });
  });

  it("a name neither the request nor the agent offers fails the run on tool_choice; without an agent it is a 400", async () => {
    const started = await post("/responses", { agent: { id: "guarded" }, input: "Hello", background: true, tool_choice: { type: "function", name: "no_such_tool" } });
    expect(started.status).toBe(200);
    const done = await pollRun(started.json.id, ended);
    expect(done.status).toBe("failed");
    expect(done.error?.message).toContain("no_such_tool");
    const plain = await post("/responses", { model: "tiny", input: "Hello", tool_choice: { type: "function", name: "transfer_to_helper" } });
    expect([plain.status, plain.json.error?.param]).toEqual([400, "tool_choice"]);
  });
});
