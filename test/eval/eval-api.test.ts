import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { datasetPath } from "./support/datasets-path.js";
import { httpClient, pollRun, type HttpRequest } from "./support/http-client.js";

const hellaswag = datasetPath("hellaswag", "hellaswag_val_first200.txt");
let server: TestServer;
let admin: HttpRequest;
let user: HttpRequest;
let other: HttpRequest;
let userKeyId: string;

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  const userKey = await server.createKey({ name: "evaluator", budget: 100 });
  userKeyId = userKey.id;
  user = httpClient(server.url, userKey.key);
  other = httpClient(server.url, (await server.createKey({ name: "someone-else" })).key);
  admin = httpClient(server.url, server.adminKey);
  // A price, so that the ledger bills the evaluation a cost, not only tokens.
  expect((await admin("PUT", "/admin/prices/stories", { input_per_million: 1000, output_per_million: 2000 })).status).toBe(200);
  await server.platform.evaluation.setDataset("hellaswag", { path: hellaswag });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe("/v1/evals", () => {
  it("lists the built-in tasks, showing dataset paths to admin keys only", async () => {
    const tasks = (await user("GET", "/evals/tasks")).body.data;
    expect(tasks.map((task: { name: string }) => task.name)).toEqual(expect.arrayContaining(["hellaswag", "winogrande", "mmlu", "gsm8k", "humaneval"]));
    const entry = tasks.find((task: { name: string }) => task.name === "hellaswag");
    expect(entry).toMatchObject({ kind: "loglikelihood", primary_metric: "acc", dataset_configured: true });
    expect(entry.dataset).toBeUndefined();
    const adminEntry = (await admin("GET", "/evals/tasks")).body.data.find((task: { name: string }) => task.name === "hellaswag");
    expect(adminEntry.dataset.path).toBe(hellaswag);
  });

  it("runs an evaluation in the background to completion with metrics, billed to the key that started it", async () => {
    const started = await user("POST", "/evals", { task: "hellaswag", model: "stories", limit: 8 });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({ object: "eval.run", task: "hellaswag", model: "stories", scoring: "llama.cpp", progress: { total: 8 } });
    expect(["pending", "running", "completed"]).toContain(started.body.status);
    const seen: number[] = [];
    const run = await pollRun(user, started.body.id, (current) => {
      seen.push(current.progress.done);
      return current.status !== "pending" && current.status !== "running";
    });
    expect(run.status).toBe("completed");
    expect(run.progress).toEqual({ done: 8, total: 8 });
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // progress never goes back
    expect(run.accuracy.value).toBeGreaterThanOrEqual(0);
    expect(run.accuracy.interval[0]).toBeLessThanOrEqual(run.accuracy.value);
    expect(run.accuracy.interval[1]).toBeGreaterThanOrEqual(run.accuracy.value);
    expect(run.metrics.find((metric: { name: string }) => metric.name === "acc").count).toBe(8);

    const items = await user("GET", `/evals/${run.id}/items?limit=5`);
    expect(items.body.data).toHaveLength(5);
    expect(items.body.data[0]).toMatchObject({ index: 0, reference: { goldIndex: expect.any(Number) } });
    expect(items.body.data[0].scores).toHaveLength(4);

    // Every scored item is a settled ledger entry of this key, with a cost; the key's spending shows it.
    const records = (await admin("GET", `/admin/usage/records?key_id=${userKeyId}`)).body.data as { model: string; status: string; input_tokens: number; cost: number }[];
    const evaluation = records.filter((record) => record.model === "stories");
    expect(evaluation).toHaveLength(8);
    for (const record of evaluation) {
      expect(record.status).toBe("ok");
      expect(record.input_tokens).toBeGreaterThan(0);
      expect(record.cost).toBeGreaterThan(0);
    }
    const key = (await admin("GET", `/admin/keys/${userKeyId}`)).body;
    expect(key.spent).toBeGreaterThan(0);

    // Only its key (and admins) see the run.
    expect((await other("GET", `/evals/${run.id}`)).status).toBe(404);
    expect((await other("GET", "/evals")).body.data).toEqual([]);
    expect((await user("GET", "/evals")).body.data.map((entry: { id: string }) => entry.id)).toContain(run.id);
    expect((await admin("GET", `/evals/${run.id}`)).status).toBe(200);
  }, 120_000);

  it("cancels a running evaluation, keeping the items finished so far", async () => {
    const started = await user("POST", "/evals", { task: "hellaswag", model: "stories", limit: 200 });
    expect(started.status, started.text).toBe(202);
    await pollRun(user, started.body.id, (current) => current.progress.done >= 4);
    const cancelled = await user("POST", `/evals/${started.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    const settled = await pollRun(user, started.body.id, () => true);
    const items = (await user("GET", `/evals/${started.body.id}/items?limit=1000`)).body.data;
    expect(items.length).toBeLessThan(200);
    expect(items.length).toBeGreaterThanOrEqual(4);
    expect(settled.status).toBe("cancelled");
    expect(settled.metrics.find((metric: { name: string }) => metric.name === "acc").count).toBeGreaterThanOrEqual(4);
    // a cancelled run cannot be cancelled into anything else, and another key cannot touch it
    expect((await user("POST", `/evals/${started.body.id}/cancel`)).body.status).toBe("cancelled");
    expect((await other("POST", `/evals/${started.body.id}/cancel`)).status).toBe(404);
  }, 120_000);

  it("compares two runs of the same task with a paired difference", async () => {
    const ids: string[] = [];
    for (const scoring of ["llama.cpp", "lm-eval"]) {
      const started = await admin("POST", "/evals", { task: "hellaswag", model: "stories", limit: 6, scoring, data: hellaswag });
      expect(started.status, started.text).toBe(202);
      const run = await pollRun(admin, started.body.id, (current) => current.status === "completed" || current.status === "failed");
      expect(run.status).toBe("completed");
      ids.push(run.id);
    }
    const comparison = await admin("GET", `/evals/compare?a=${ids[0]}&b=${ids[1]}`);
    expect(comparison.status, comparison.text).toBe(200);
    expect(comparison.body).toMatchObject({ object: "eval.comparison", task: "hellaswag", metric: "acc", count: 6, unmatched: 0 });
    expect(comparison.body.difference).toBeGreaterThanOrEqual(-1);
    expect(comparison.body.interval[0]).toBeLessThanOrEqual(comparison.body.difference);
    expect((await user("GET", `/evals/compare?a=${ids[0]}&b=${ids[1]}`)).status).toBe(404); // not the user's runs
  }, 120_000);

  it("rejects bad requests with clear errors and stores nothing", async () => {
    const before = (await admin("GET", "/evals")).body.data.length;
    const dataByUser = await user("POST", "/evals", { task: "hellaswag", model: "stories", data: "/etc/passwd" });
    expect(dataByUser.status).toBe(403);
    expect(dataByUser.body.error.param).toBe("data");
    expect((await user("POST", "/evals", { task: "no-such-task", model: "stories" })).status).toBe(404);
    expect((await user("POST", "/evals", { task: "hellaswag", model: "no-such-model" })).status).toBe(404);
    const badLimit = await user("POST", "/evals", { task: "hellaswag", model: "stories", limit: -3 });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.param).toBe("limit");
    expect((await user("POST", "/evals", { task: "winogrande", model: "stories" })).body.error.code).toBe("dataset_required");
    expect((await admin("POST", "/evals", { task: "hellaswag", model: "stories", data: datasetPath("winogrande", "dev.first200.jsonl") })).status).toBe(400);
    expect((await user("POST", "/evals", { task: "hellaswag", model: "stories", colour: "blue" })).status).toBe(400);
    expect((await user("POST", "/evals", "not json")).status).toBe(400);
    expect((await user("GET", "/evals/evr_missing")).status).toBe(404);
    expect((await user("GET", "/evals/compare?a=x")).status).toBe(400);
    expect((await admin("GET", "/evals")).body.data.length).toBe(before);
  });
});
