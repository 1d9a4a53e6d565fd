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

describe("workflow versions", () => {
  const versionOf = (prompt: string, extra: Record<string, unknown> = {}) => ({ name: "evolving", inputs: { topic: { type: "string" } }, steps: [{ id: "say", type: "llm", model, prompt: `${prompt} {{inputs.topic}}` }], ...extra });

  it("an update is a new version; GET shows the latest or ?version=N; /versions lists them; runs record the version they ran", async () => {
    const created = await call("POST", "/workflows", versionOf("First version about"));
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    expect(created.json).toMatchObject({ version: 1, latest_version: 1 });
    const id = created.json.id as string;
    const updated = await call("POST", `/workflows/${id}`, versionOf("Second version about", { description: "v2" }));
    expect(updated.status, JSON.stringify(updated.json)).toBe(200);
    expect(updated.json).toMatchObject({ id, version: 2, latest_version: 2, definition: { description: "v2" } });
    const yaml = `name: evolving\ndescription: v3\ninputs: {topic: {type: string}}\nsteps:\n  - {id: say, type: llm, model: ${model}, prompt: 'Third version about {{inputs.topic}}'}\n`;
    const third = await call("POST", `/workflows/${id}`, yaml, server.adminKey, "application/yaml");
    expect(third.json).toMatchObject({ version: 3, definition: { description: "v3" } });

    expect((await call("GET", `/workflows/${id}`)).json).toMatchObject({ version: 3, definition: { description: "v3" } });
    const first = await call("GET", `/workflows/${id}?version=1`);
    expect(first.json).toMatchObject({ version: 1, latest_version: 3 });
    expect(first.json.definition.steps[0].prompt).toBe("First version about {{inputs.topic}}");
    const versions = await call("GET", `/workflows/${id}/versions`);
    expect(versions.json).toMatchObject({ object: "list", workflow_id: id, first_id: 3, last_id: 1, has_more: false });
    expect(versions.json.data.map((entry: { version: number; object: string }) => [entry.object, entry.version])).toEqual([["workflow.version", 3], ["workflow.version", 2], ["workflow.version", 1]]);
    const page = await call("GET", `/workflows/${id}/versions?order=asc&limit=2`);
    expect(page.json.data.map((entry: { version: number }) => entry.version)).toEqual([1, 2]);
    expect(page.json.has_more).toBe(true);
    expect((await call("GET", `/workflows/${id}/versions?order=asc&after=2`)).json.data.map((entry: { version: number }) => entry.version)).toEqual([3]);

    // The latest by default; an earlier version by number (here or with {workflow: {id, version}}); by name too.
    const finished = async (started: { status: number; json: any }) => {
      expect(started.status, JSON.stringify(started.json)).toBe(200);
      const done = await settle(started.json.id);
      expect(done.status, JSON.stringify(done)).toBe("completed");
      return done as RunJson & { workflow_version: number };
    };
    expect((await finished(await call("POST", `/workflows/${id}/runs`, { inputs: { topic: "tea" } }))).workflow_version).toBe(3);
    expect((await finished(await call("POST", `/workflows/${id}/runs`, { inputs: { topic: "tea" }, version: 2 }))).workflow_version).toBe(2);
    const byReference = await call("POST", "/workflow-runs", { workflow: { id, version: 1 }, inputs: { topic: "coffee" } });
    expect(byReference.json.workflow_version).toBe(1);
    const firstRun = await settle(byReference.json.id);
    expect(firstRun.status).toBe("completed");
    expect(upstream.requests.map(lastUser)).toEqual(expect.arrayContaining(["Third version about tea", "Second version about tea", "First version about coffee"]));
    const byName = await call("POST", "/workflow-runs", { workflow: { id: "evolving" }, inputs: { topic: "milk" } });
    expect(byName.json).toMatchObject({ workflow_id: id, workflow_version: 3 });
    await settle(byName.json.id);
    expect((await call("GET", `/workflow-runs/${byReference.json.id}`)).json.workflow_version).toBe(1);
  });

  it("a run keeps the version it started with when the workflow is updated while it waits", async () => {
    const created = await call("POST", "/workflows", { name: "pinned", steps: [{ id: "ask", type: "human_input", prompt: "Go?", next: "say" }, { id: "say", type: "llm", model, prompt: "Pinned version one" }] });
    const started = await call("POST", `/workflows/${created.json.id}/runs`, {});
    await settle(started.json.id, (run) => run.status === "awaiting_input");
    const updated = await call("POST", `/workflows/${created.json.id}`, { name: "pinned", steps: [{ id: "ask", type: "human_input", prompt: "Go?", next: "say" }, { id: "say", type: "llm", model, prompt: "Pinned version two" }] });
    expect(updated.json.version).toBe(2);
    await call("POST", `/workflow-runs/${started.json.id}/input`, { input: "yes" });
    const done = await settle(started.json.id);
    expect(done).toMatchObject({ status: "completed", workflow_version: 1 });
    expect(upstream.requests.map(lastUser)).toContain("Pinned version one");
    expect(upstream.requests.map(lastUser)).not.toContain("Pinned version two");
  });

  it("bad versions and bad bodies are 400/404 naming the field; a bad update adds no version; another key's workflow is a 404", async () => {
    const created = await call("POST", "/workflows", { name: "strict-versions", steps: [{ id: "say", type: "llm", model, prompt: "hi" }] });
    const id = created.json.id as string;
    const expectError = async (result: Promise<{ status: number; json: any }>, status: number, param: string) => {
      const { status: got, json } = await result;
      expect([got, json.error?.param], JSON.stringify(json)).toEqual([status, param]);
      return json.error as { message: string; code?: string };
    };
    expect((await expectError(call("POST", "/workflow-runs", { workflow: { id, version: 9 } }), 404, "workflow.version")).code).toBe("workflow_version_not_found");
    await expectError(call("POST", "/workflow-runs", { workflow: { id, version: 0 } }), 400, "workflow.version");
    await expectError(call("POST", "/workflow-runs", { workflow: { id, version: "1" } }), 400, "workflow.version");
    await expectError(call("POST", "/workflow-runs", { workflow: { id, extra: 1 } }), 400, "workflow.extra");
    await expectError(call("POST", "/workflow-runs", { inputs: {} }), 400, "workflow");
    await expectError(call("POST", "/workflow-runs", { workflow: { id: "wf_nope" } }), 404, "workflow.id");
    await expectError(call("POST", `/workflows/${id}/runs`, { version: 5 }), 404, "version");
    await expectError(call("GET", `/workflows/${id}?version=7`), 404, "version");
    await expectError(call("GET", `/workflows/${id}?version=x`), 400, "version");
    await expectError(call("GET", `/workflows/${id}/versions?limit=0`), 400, "limit");
    await expectError(call("GET", `/workflows/${id}/versions?limit=101`), 400, "limit");
    await expectError(call("GET", `/workflows/${id}/versions?order=up`), 400, "order");
    await expectError(call("GET", `/workflows/${id}/versions?colour=red`), 400, "colour");
    const cycle = await call("POST", `/workflows/${id}`, { name: "strict-versions", steps: [{ id: "a", type: "llm", model, prompt: "x", next: "b" }, { id: "b", type: "llm", model, prompt: "y", next: "a" }] });
    expect(cycle.status).toBe(400);
    expect(cycle.json.error).toMatchObject({ code: "workflow_cycle", param: expect.stringMatching(/^steps\[[01]\]\.next$/) });
    await call("POST", "/workflows", { name: "taken-name", steps: [{ id: "say", type: "llm", model, prompt: "hi" }] });
    expect((await expectError(call("POST", `/workflows/${id}`, { name: "taken-name", steps: [{ id: "say", type: "llm", model, prompt: "hi" }] }), 409, "name")).code).toBe("workflow_exists");
    expect((await call("GET", `/workflows/${id}/versions`)).json.data).toHaveLength(1);
    const other = await server.createKey({ name: "versions-other" });
    await expectError(call("POST", `/workflows/${id}`, { name: "strict-versions", steps: [{ id: "say", type: "llm", model, prompt: "mine" }] }, other.key), 404, "workflow_id");
    await expectError(call("GET", `/workflows/${id}/versions`, undefined, other.key), 404, "workflow_id");
    await expectError(call("POST", "/workflow-runs", { workflow: { id } }, other.key), 404, "workflow.id");
  });
});
