import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWorkflowDefinition, workflowTemplate, workflowTemplateNames } from "../../src/workflows/index.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream, type ScriptedRequest } from "../support/scripted-upstream.js";

const model = "remote-model";
let server: TestServer;
let upstream: ScriptedUpstream;

type RunJson = { id: string; status: string; output: unknown; error: { message: string } | null; steps: Array<{ id: string; status: string; output: unknown }> };

async function call(method: string, path: string, body?: unknown, key = server.adminKey, contentType = "application/json"): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": contentType },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function settle(runId: string, until = (run: RunJson) => !["queued", "running"].includes(run.status)): Promise<RunJson> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { json } = await call("GET", `/workflow-runs/${runId}`);
    if (until(json as RunJson)) return json as RunJson;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} did not settle`);
}

const lastUser = (request: ScriptedRequest) => String(request.messages.at(-1)?.content ?? "");
const replyTo = (match: (prompt: string) => boolean) => (request: ScriptedRequest) => match(lastUser(request));

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  server = await startTestServer();
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
  upstream.on(() => true, { text: "generic reply" });
  upstream.on(replyTo((prompt) => prompt.startsWith("Classify")), { text: "billing" });
  upstream.on(replyTo((prompt) => prompt.startsWith("Split this task")), { text: JSON.stringify({ subtasks: ["alpha", "beta", "gamma"] }) });
  upstream.on(replyTo((prompt) => prompt.startsWith("Do this subtask: ")), { text: "done" });
  upstream.on(replyTo((prompt) => prompt.startsWith("Grade this answer")), { text: JSON.stringify({ pass: false, feedback: "be shorter" }) });
  upstream.on(replyTo((prompt) => prompt.startsWith("Improve this answer")), { text: "improved answer" });
});

afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

async function createAndRun(definition: unknown, inputs: Record<string, unknown>): Promise<RunJson> {
  const created = await call("POST", "/workflows", definition);
  expect(created.status, JSON.stringify(created.json)).toBe(200);
  const started = await call("POST", `/workflows/${created.json.id}/runs`, { inputs });
  expect(started.status, JSON.stringify(started.json)).toBe(200);
  return settle(started.json.id);
}

describe("workflow templates", () => {
  it("every template validates", () => {
    expect(workflowTemplateNames).toHaveLength(5);
    for (const name of workflowTemplateNames) expect(parseWorkflowDefinition(workflowTemplate(name)).name).toBe(name);
  });

  it.each([
    ["chaining", { topic: "tea" }, 3],
    ["routing", { message: "my invoice is wrong" }, 2],
    ["parallelization", { text: "some text" }, 4],
    ["orchestrator-workers", { task: "build a shed" }, 5],
    ["evaluator-optimizer", { question: "why?" }, 3],
  ])("%s runs end to end on the scripted upstream", async (name, inputs, modelCalls) => {
    const before = upstream.requests.length;
    const run = await createAndRun(workflowTemplate(name), { ...inputs, model });
    expect(run.status, JSON.stringify(run)).toBe("completed");
    expect(upstream.requests.length - before).toBe(modelCalls);
    if (name === "chaining") {
      const prompts = upstream.requests.slice(before).map(lastUser);
      expect(prompts[1]).toBe("Write a short paragraph from this outline:\ngeneric reply");
    }
    if (name === "routing") {
      // The condition chose `billing`: the other specialists were skipped, the join ran.
      expect(Object.fromEntries(run.steps.map((step) => [step.id, step.status]))).toMatchObject({ route: "completed", billing: "completed", technical: "skipped", general: "skipped", answer: "completed" });
      expect(run.output).toBe("generic reply");
    }
    if (name === "orchestrator-workers") {
      expect(run.steps.find((step) => step.id === "workers")?.output).toEqual(["done", "done", "done"]);
      expect(run.steps.filter((step) => step.id.startsWith("workers[")).map((step) => step.id).sort()).toEqual(["workers[0]", "workers[1]", "workers[2]"]);
    }
    if (name === "evaluator-optimizer") {
      expect(run.steps.find((step) => step.id === "accept")?.status).toBe("skipped");
      expect(run.output).toBe("improved answer");
    }
  });
});

describe("workflow steps", () => {
  it("a condition takes the other branch when its case does not hold", async () => {
    const run = await createAndRun(
      {
        name: "branches",
        inputs: { n: { type: "number" } },
        steps: [
          { id: "check", type: "condition", cases: [{ when: "inputs.n > 10", next: "big" }], default: ["small"] },
          { id: "big", type: "code", source: "print('\"big\"')" },
          { id: "small", type: "code", source: "import json,sys; print(json.dumps(json.load(sys.stdin)['inputs']['n'] * 2))" },
        ],
      },
      { n: 3 },
    );
    expect(run.status, JSON.stringify(run)).toBe("completed");
    expect(run.output).toBe(6);
    expect(run.steps.find((step) => step.id === "big")?.status).toBe("skipped");
  });

  it("maps a code step over a list", async () => {
    const run = await createAndRun(
      {
        name: "map-code",
        inputs: { items: { type: "array" } },
        steps: [{ id: "squares", type: "map", over: "{{inputs.items}}", max_concurrency: 2, step: { type: "code", source: "import json,sys; print(json.load(sys.stdin)['item'] ** 2)" } }],
      },
      { items: [1, 2, 3] },
    );
    expect(run.status, JSON.stringify(run)).toBe("completed");
    expect(run.output).toEqual([1, 4, 9]);
  });

  it("human_input pauses the run until POST /v1/workflow-runs/{id}/input answers it", async () => {
    const created = await call("POST", "/workflows", {
      name: "approve-me",
      steps: [
        { id: "ask", type: "human_input", prompt: "Approve?", schema: { type: "object", properties: { approved: { type: "boolean" } }, required: ["approved"] }, next: "after" },
        { id: "after", type: "condition", cases: [{ when: "steps.ask.output.approved == true", next: "yes" }], default: "no" },
        { id: "yes", type: "code", source: "print('\"approved\"')" },
        { id: "no", type: "code", source: "print('\"rejected\"')" },
      ],
    });
    const started = await call("POST", `/workflows/${created.json.id}/runs`, {});
    const paused = await settle(started.json.id, (run) => run.status === "awaiting_input");
    expect(paused.steps.find((step) => step.id === "ask")).toMatchObject({ status: "waiting", output: { prompt: "Approve?" } });
    const bad = await call("POST", `/workflow-runs/${started.json.id}/input`, { input: { other: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe("input.approved");
    const answered = await call("POST", `/workflow-runs/${started.json.id}/input`, { input: { approved: true } });
    expect(answered.status).toBe(200);
    const done = await settle(started.json.id);
    expect(done.status).toBe("completed");
    expect(done.output).toBe("approved");
    expect((await call("POST", `/workflow-runs/${started.json.id}/input`, { input: { approved: true } })).status).toBe(409);
  });

  it("a cycle is a 400 naming the field and the cycle; so are unknown steps and duplicate ids", async () => {
    const cycle = await call("POST", "/workflows", {
      name: "cyclic",
      steps: [
        { id: "a", type: "code", source: "print(1)", next: "b" },
        { id: "b", type: "code", source: "print(2)", next: "a" },
      ],
    });
    expect(cycle.status).toBe(400);
    expect(cycle.json.error.param).toMatch(/^steps\[[01]\]\.next$/);
    expect(cycle.json.error.message).toMatch(/cycle: (a → b → a|b → a → b)/);
    const unknown = await call("POST", "/workflows", { name: "unknown", steps: [{ id: "a", type: "code", source: "print(1)", next: "nope" }] });
    expect([unknown.status, unknown.json.error.param]).toEqual([400, "steps[0].next"]);
    const duplicate = await call("POST", "/workflows", { name: "dup", steps: [{ id: "a", type: "code", source: "print(1)" }, { id: "a", type: "code", source: "print(2)" }] });
    expect([duplicate.status, duplicate.json.error.param]).toEqual([400, "steps[1].id"]);
    const yaml = await call("POST", "/workflows", "name: y\nsteps:\n  - {id: a, type: llm, model: m, prompt: '{{steps.zz.output}}'}\n", server.adminKey, "application/yaml");
    expect([yaml.status, yaml.json.error.param]).toEqual([400, "steps[0].prompt"]);
  });

  it("code steps need a key allowed to run code (403), and a cancel ends a waiting run", async () => {
    const plain = await server.createKey({ name: "plain" });
    const denied = await call("POST", "/workflows", { name: "code", steps: [{ id: "a", type: "code", source: "print(1)" }] }, plain.key);
    expect([denied.status, denied.json.error.code, denied.json.error.param]).toEqual([403, "code_execution_not_allowed", "steps[0].type"]);
    const created = await call("POST", "/workflows", { name: "wait", steps: [{ id: "ask", type: "human_input", prompt: "?" }] }, plain.key);
    const started = await call("POST", `/workflows/${created.json.id}/runs`, {}, plain.key);
    await settle(started.json.id, (run) => run.status === "awaiting_input");
    const cancelled = await call("POST", `/workflow-runs/${started.json.id}/cancel`, undefined, plain.key);
    expect(cancelled.json.status).toBe("cancelled");
  });
});
