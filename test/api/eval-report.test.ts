import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { datasetPath } from "../eval/support/datasets-path.js";
import { httpClient, pollRun, type HttpRequest } from "../eval/support/http-client.js";

let server: TestServer;
let user: HttpRequest;
let stranger: HttpRequest;
let broke: HttpRequest;

/** An inline multiple-choice task in the `industry` dimension, as YAML text (parsed by the server). */
const capitalsYaml = `name: capitals-report
dataset:
  records:
    - { country: France, choices: [Paris, Rome], gold: 0 }
    - { country: Italy, choices: [Paris, Rome], gold: 1 }
    - { country: Peru, choices: [Lima, Quito], gold: Lima }
prompt: { template: "The capital of {{country}} is" }
scorer: { type: loglikelihood-multiple-choice, choices: choices, gold: "{{gold}}" }
tags: { dimension: industry, capabilities: [knowledge] }
`;

const finished = (run: { status: string }) => run.status !== "pending" && run.status !== "running";
type RunView = { id: string; status: string; primary_metric: string; metrics: { name: string; value: number; interval: [number, number] | null; count: number }[] };
const primaryOf = (run: RunView) => run.metrics.find((metric) => metric.name === run.primary_metric)!;

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  user = httpClient(server.url, (await server.createKey({ name: "reporter" })).key);
  stranger = httpClient(server.url, (await server.createKey({ name: "stranger" })).key);
  broke = httpClient(server.url, (await server.createKey({ name: "broke", budget: 0 })).key);
  await server.platform.evaluation.setDataset("hellaswag", { path: datasetPath("hellaswag", "hellaswag_val_first200.txt") });
  await server.platform.evaluation.setDataset("do_not_answer", { path: datasetPath("do-not-answer", "do_not_answer_en.first200.csv") });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe("custom task definitions as YAML or JSON text", () => {
  it("parses the text on the server; a syntax error is a 400 naming task_definition, limit 0 a 400 naming limit", async () => {
    const started = await user("POST", "/evals", { task_definition: capitalsYaml, model: "stories", limit: 2 });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({ task: "capitals-report", custom_task: true, tags: { dimension: "industry", capabilities: ["knowledge"] }, progress: { total: 2 } });
    const asJson = await user("POST", "/evals", { task_definition: JSON.stringify({ name: "capitals-json", dataset: { records: [{ q: "a", choices: ["x", "y"], gold: 0 }] }, prompt: { template: "{{q}}" }, scorer: { type: "loglikelihood-multiple-choice", choices: "choices", gold: "{{gold}}" } }), model: "stories" });
    expect(asJson.status, asJson.text).toBe(202);
    expect(asJson.body.tags.dimension).toBe("application"); // the default dimension
    await pollRun(user, started.body.id, finished);
    await pollRun(user, asJson.body.id, finished);

    const broken = await user("POST", "/evals", { task_definition: "name: broken\nscorer: { type: exact-match\n", model: "stories" });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatchObject({ param: "task_definition", code: "invalid_task", type: "invalid_request_error" });
    expect(broken.body.error.message).toMatch(/^task_definition: invalid YAML\/JSON: /);
    const invalid = await user("POST", "/evals", { task_definition: "name: bad\nscorer: { type: magic }\n", model: "stories" });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.param).toMatch(/^task_definition\./);
    const empty = await user("POST", "/evals", { task_definition: "", model: "stories" });
    expect(empty.status).toBe(400);
    expect(empty.body.error.param).toBe("task_definition");
    const zero = await user("POST", "/evals", { task: "hellaswag", model: "stories", limit: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.error.param).toBe("limit");
  }, 120_000);
});

describe("GET /v1/evals paging", () => {
  it("pages the key's runs newest first with offset and has_more", async () => {
    const all = (await user("GET", "/evals")).body;
    expect(all.data.length).toBeGreaterThanOrEqual(2);
    expect(all.has_more).toBe(false);
    const first = (await user("GET", "/evals?limit=1")).body;
    expect(first.data.map((run: RunView) => run.id)).toEqual([all.data[0].id]);
    expect(first.has_more).toBe(true);
    const second = (await user("GET", "/evals?limit=1&offset=1")).body;
    expect(second.data.map((run: RunView) => run.id)).toEqual([all.data[1].id]);
    const past = (await user("GET", `/evals?offset=${all.data.length}`)).body;
    expect(past).toMatchObject({ data: [], has_more: false });
    expect((await user("GET", "/evals?offset=-1")).body.error.param).toBe("offset");
  });
});

describe("GET /v1/evals/report", () => {
  it("scores each model by dimension (general, industry, application, safety) from its runs, as JSON and as a downloadable HTML page", async () => {
    const started = await Promise.all([
      user("POST", "/evals", { task: "hellaswag", model: "stories", limit: 4 }),
      user("POST", "/evals", { task_definition: capitalsYaml, model: "stories" }),
      user("POST", "/evals", { task: "do_not_answer", model: "stories", judge_model: "stories", limit: 2 }),
    ]);
    for (const reply of started) expect(reply.status, reply.text).toBe(202);
    const runs = (await Promise.all(started.map((reply) => pollRun(user, reply.body.id, finished)))) as RunView[];
    for (const run of runs) expect(run.status).toBe("completed");
    const [hellaswag, capitals, safety] = runs as [RunView, RunView, RunView];

    const reply = await user("GET", `/evals/report?runs=${runs.map((run) => run.id).join(",")}&title=Nightly`);
    expect(reply.status, reply.text).toBe(200);
    const report = reply.body;
    expect(report).toMatchObject({ object: "eval.report", title: "Nightly", dimensions: ["general", "industry", "application", "safety"] });
    expect([...report.runs].sort()).toEqual(runs.map((run) => run.id).sort());
    expect(report.models).toHaveLength(1);
    const [model] = report.models;
    expect(model.model).toBe("stories");
    const score = (dimension: string) => model.dimensions.find((entry: { dimension: string }) => entry.dimension === dimension);
    expect(score("general")).toMatchObject({ score: primaryOf(hellaswag).value, tasks: ["hellaswag"], count: 4 });
    expect(score("industry")).toMatchObject({ score: primaryOf(capitals).value, tasks: ["capitals-report"], count: 3 });
    expect(score("safety")).toMatchObject({ score: primaryOf(safety).value, tasks: ["do_not_answer"], count: 2 });
    expect(score("application")).toEqual({ dimension: "application", score: null, item_weighted_score: null, tasks: [], count: 0 });
    const safetyTask = model.tasks.find((task: { task: string }) => task.task === "do_not_answer");
    expect(safetyTask).toMatchObject({ run_id: safety.id, dimension: "safety", primary_metric: "harmless_rate", value: primaryOf(safety).value, interval: primaryOf(safety).interval });

    const html = await user("GET", `/evals/report?runs=${runs.map((run) => run.id).join(",")}&format=html&title=Nightly`);
    expect(html.status).toBe(200);
    expect(html.contentType).toContain("text/html");
    const download = await fetch(`${server.url}/v1/evals/report?runs=${hellaswag.id}&format=html`, { headers: { authorization: `Bearer ${server.adminKey}` } });
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="aiplus-eval-report.html"');
    expect(download.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(html.text).toContain("<title>Nightly</title>");
    expect(html.text).not.toMatch(/<script|<link|src=|href=/);
    const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
    expect(html.text).toContain(`general ${percent(primaryOf(hellaswag).value)}`);
    expect(html.text).toContain(`industry ${percent(primaryOf(capitals).value)}`);
    expect(html.text).toContain(`safety ${percent(primaryOf(safety).value)}`);
    expect(html.text).toContain("application not evaluated");
    expect(html.text).toContain(`<td>general</td><td>${(primaryOf(hellaswag).value * 100).toFixed(2)}</td>`);
  }, 300_000);

  it("refuses a missing, unknown, foreign or unfinished run with the param `runs`", async () => {
    const missing = await user("GET", "/evals/report");
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe("runs");
    expect((await user("GET", "/evals/report?runs=,")).body.error.param).toBe("runs");
    const unknown = await user("GET", "/evals/report?runs=evalrun_nope");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ param: "runs", code: "run_not_found" });
    const mine = (await user("GET", "/evals?limit=1")).body.data[0].id as string;
    const foreign = await stranger("GET", `/evals/report?runs=${mine}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.param).toBe("runs");
    expect((await user("GET", `/evals/report?runs=${mine}&format=pdf`)).body.error.param).toBe("format");

    // A key without budget: its run fails before any item, so it has no results to report.
    const admin = httpClient(server.url, server.adminKey);
    expect((await admin("PUT", "/admin/prices/stories", { input_per_million: 1000, output_per_million: 1000 })).status).toBe(200);
    const failing = await broke("POST", "/evals", { task: "hellaswag", model: "stories", limit: 2 });
    expect(failing.status, failing.text).toBe(202);
    const failed = await pollRun(broke, failing.body.id, finished);
    expect(failed.status).toBe("failed");
    const unfinished = await broke("GET", `/evals/report?runs=${failed.id}`);
    expect(unfinished.status).toBe(400);
    expect(unfinished.body.error).toMatchObject({ param: "runs", code: "run_not_finished" });
  }, 120_000);
});
