import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";

// Cancelling a workflow run also cancels the child agent run its agent step started (logged as the step's
// response_id), instead of leaving it running (and metered) on its own.
const model = "remote-model";
let server: TestServer;
let upstream: ScriptedUpstream;

type RunJson = { id: string; status: string; steps: Array<{ id: string; status: string; output: any }> };

async function call(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1${route}`, { method, headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

async function until<Value>(read: () => Promise<Value>, done: (value: Value) => boolean): Promise<Value> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("never reached the expected state");
}

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  server = await startTestServer();
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

describe("cancelling a workflow run with an agent step in flight", () => {
  it("cancels the child agent run too", async () => {
    expect((await call("POST", "/agents", { name: "wf-slow", model, instructions: "Agent wf-slow." })).status).toBe(200);
    upstream.on("user: Think slowly", { stall: true });
    const created = await call("POST", "/workflows", { name: "slow-agent", steps: [{ id: "think", type: "agent", agent: "wf-slow", input: "Think slowly" }] });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    const runId = (await call("POST", `/workflows/${created.json.id}/runs`, { inputs: {} })).json.id as string;

    const running = await until(async () => (await call("GET", `/workflow-runs/${runId}`)).json as RunJson, (run) => typeof run.steps.find((step) => step.id === "think")?.output?.response_id === "string");
    const childId = running.steps.find((step) => step.id === "think")!.output.response_id as string;
    await upstream.waitForRequests(1);
    expect(((await server.admin.responses.retrieve(childId)) as { status: string }).status).toBe("in_progress");

    const cancelled = await call("POST", `/workflow-runs/${runId}/cancel`);
    expect([cancelled.status, cancelled.json.status]).toEqual([200, "cancelled"]);
    const child = await until(async () => (await server.admin.responses.retrieve(childId)) as { status: string }, (response) => response.status !== "in_progress");
    expect(child.status).toBe("cancelled");
    expect(((await call("GET", `/workflow-runs/${runId}`)).json as RunJson).status).toBe("cancelled");
  }, 60_000);
});
