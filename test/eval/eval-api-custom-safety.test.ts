import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { datasetPath } from "./support/datasets-path.js";
import { httpClient, pollRun, type HttpRequest } from "./support/http-client.js";

const labelled = datasetPath("do-not-answer", "data_en.first100.csv");
let server: TestServer;
let admin: HttpRequest;
let user: HttpRequest;
let userKeyId: string;

/** A self-contained multiple-choice definition (inline records: any key may run it). */
const capitals = {
  name: "capitals",
  dataset: {
    records: [
      { country: "France", choices: ["Paris", "Rome"], gold: 0 },
      { country: "Italy", choices: ["Paris", "Rome"], gold: 1 },
      { country: "Peru", choices: ["Lima", "Quito"], gold: "Lima" },
    ],
  },
  prompt: { template: "The capital of {{country}} is" },
  scorer: { type: "loglikelihood-multiple-choice", choices: "choices", gold: "{{gold}}" },
  tags: { dimension: "industry", capabilities: ["knowledge", "geography"] },
};

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  const userKey = await server.createKey({ name: "evaluator", budget: 100 });
  userKeyId = userKey.id;
  user = httpClient(server.url, userKey.key);
  admin = httpClient(server.url, server.adminKey);
  await server.platform.evaluation.setDataset("do_not_answer", { path: labelled });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const finished = (run: { status: string }) => run.status !== "pending" && run.status !== "running";

describe("/v1/evals with custom and safety tasks", () => {
  it("runs an inline task definition as a durable run billed to the key, with its tags in the view and reports", async () => {
    const started = await user("POST", "/evals", { task_definition: capitals, model: "stories", scoring: "lm-eval" });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({ object: "eval.run", task: "capitals", custom_task: true, scoring: "lm-eval", progress: { total: 3 }, tags: capitals.tags });
    expect(started.body.config.taskDefinition.name).toBe("capitals"); // stored with the run: a resume uses it
    const run = await pollRun(user, started.body.id, finished);
    expect(run.status).toBe("completed");
    expect(run.primary_metric).toBe("acc");
    expect(run.accuracy.interval[0]).toBeLessThanOrEqual(run.accuracy.value);
    expect(run.metrics.map((metric: { name: string }) => metric.name)).toEqual(["acc", "acc_norm", "acc_bytes"]);
    const items = (await user("GET", `/evals/${run.id}/items`)).body.data;
    expect(items.map((item: { reference: { goldIndex: number } }) => item.reference.goldIndex)).toEqual([0, 1, 0]);
    expect(items[0].prompt[0]).toEqual({ context: "The capital of France is", continuation: " Paris" });
    const records = (await admin("GET", `/admin/usage/records?key_id=${userKeyId}`)).body.data as { model: string; status: string }[];
    expect(records.filter((record) => record.model === "stories" && record.status === "ok")).toHaveLength(3);
  }, 120_000);

  it("runs do_not_answer with a judge model, billing the model's and the judge's traffic to the key", async () => {
    const started = await user("POST", "/evals", { task: "do_not_answer", model: "stories", judge_model: "stories", limit: 2 });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({ task: "do_not_answer", judge_model: "stories", primary_metric: "harmless_rate", tags: { dimension: "safety" } });
    const run = await pollRun(user, started.body.id, finished);
    expect(run.status, run.error).toBe("completed");
    const names = run.metrics.map((metric: { name: string }) => metric.name);
    expect(names).toEqual(expect.arrayContaining(["harmful_rate", "refusal_rate", "harmless_rate", "action_agreement", "harmful_agreement"]));
    expect(names.filter((name: string) => name.startsWith("harmful_rate["))).toHaveLength(1); // both questions are in one risk area
    for (const metric of run.metrics.filter((entry: { interval: unknown }) => entry.interval !== null)) {
      expect(metric.interval[0]).toBeLessThanOrEqual(metric.value);
      expect(metric.interval[1]).toBeGreaterThanOrEqual(metric.value);
    }
    const item = (await user("GET", `/evals/${run.id}/items?limit=1`)).body.data[0];
    expect(item.prediction).toEqual({ action: expect.any(String), harmful: expect.any(Boolean) });
    expect(item.details.labelled).toHaveLength(6);
    expect(typeof item.details.judgeOutput).toBe("string");
    // per question: 1 answer + 1 judge call on it + 6 judge calls on the labelled responses, all on the key
    const records = (await admin("GET", `/admin/usage/records?key_id=${userKeyId}&limit=1000`)).body.data as { model: string; status: string }[];
    expect(records.filter((record) => record.model === "stories" && record.status === "ok").length).toBe(3 + 2 * 8);
  }, 180_000);

  it("rejects bad definitions (400 naming the problem), a missing judge model (404) and server paths from non-admin keys (403)", async () => {
    const before = (await admin("GET", "/evals")).body.data.length;
    const badScorer = await user("POST", "/evals", { task_definition: { ...capitals, scorer: { type: "magic" } }, model: "stories" });
    expect(badScorer.status).toBe(400);
    expect(badScorer.body.error.message).toContain("scorer.type");
    expect(badScorer.body.error.param).toBe("task_definition.scorer.type");
    const noDataset = await user("POST", "/evals", { task_definition: { ...capitals, dataset: {} }, model: "stories" });
    expect(noDataset.status).toBe(400);
    expect(noDataset.body.error.message).toContain("dataset.path and dataset.records");
    const missingField = await user("POST", "/evals", { task_definition: { ...capitals, prompt: { template: "{{capital}}" } }, model: "stories" });
    expect(missingField.status).toBe(400);
    expect(missingField.body.error.message).toContain('"capital"');
    const builtInName = await user("POST", "/evals", { task_definition: { ...capitals, name: "hellaswag" }, model: "stories" });
    expect(builtInName.status).toBe(400);
    const neither = await user("POST", "/evals", { model: "stories" });
    expect(neither.status).toBe(400);
    expect(neither.body.error.param).toBe("task");

    const missingJudge = await user("POST", "/evals", { task: "do_not_answer", model: "stories", judge_model: "no-such-judge", limit: 1 });
    expect(missingJudge.status).toBe(404);
    expect(missingJudge.body.error.message).toContain("no-such-judge");
    const judgeTask = { ...capitals, name: "judged", scorer: { type: "llm-judge", rubric: "Correct capital.", judge: "no-such-judge" } };
    expect((await user("POST", "/evals", { task_definition: judgeTask, model: "stories" })).status).toBe(404);
    const judgeless = await user("POST", "/evals", { task_definition: { ...judgeTask, scorer: { type: "llm-judge", rubric: "Correct capital." } }, model: "stories" });
    expect(judgeless.status).toBe(400);
    expect(judgeless.body.error.code).toBe("judge_required");

    const serverPath = await user("POST", "/evals", { task_definition: { ...capitals, dataset: { path: "/etc/passwd", format: "csv" } }, model: "stories" });
    expect(serverPath.status).toBe(403);
    expect(serverPath.body.error.param).toBe("task_definition.dataset.path");
    const adminMissingFile = await admin("POST", "/evals", { task_definition: { ...capitals, dataset: { path: "/nonexistent/capitals.jsonl" } }, model: "stories" });
    expect(adminMissingFile.status).toBe(404);
    expect((await admin("GET", "/evals")).body.data.length).toBe(before);
  }, 60_000);
});
