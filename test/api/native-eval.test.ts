/**
 * Evaluation runs on the native engine: a HellaSwag run through the real server scores on the native scorer
 * (aiplus-score) with its default items in flight, and every item agrees with llama-perplexity's recorded output.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaCppHellaswagOrder, parseLlamaPerplexityHellaswag } from "../../src/eval/index.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { useNativeEngine } from "../support/engine.js";
import { datasetPath } from "../eval/support/datasets-path.js";
import { httpClient, pollRun, type HttpRequest } from "../eval/support/http-client.js";

useNativeEngine();

let server: TestServer;
let user: HttpRequest;

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  user = httpClient(server.url, (await server.createKey({ name: "evaluator" })).key);
  await server.platform.evaluation.setDataset("hellaswag", { path: datasetPath("hellaswag", "hellaswag_val_first200.txt") });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

type ItemView = { index: number; metrics: Record<string, number>; scores: number[] | null };

describe("eval runs on the native scorer", () => {
  it("scores 100 HellaSwag items (llama.cpp convention) in batches, each agreeing with llama-perplexity", async () => {
    const started = await user("POST", "/evals", { task: "hellaswag", model: "stories", limit: 100, scoring: "llama.cpp" });
    expect(started.status, started.text).toBe(202);
    const run = await pollRun(user, started.body.id, (view: { status: string }) => view.status !== "pending" && view.status !== "running");
    expect(run.status).toBe("completed");
    expect(run.progress).toMatchObject({ done: 100, total: 100 });
    const items: ItemView[] = [];
    for (let offset = 0; offset < 100; offset += 50) items.push(...(await user("GET", `/evals/${run.id}/items?offset=${offset}&limit=50`)).body.data);
    expect(items.map((item) => item.index).sort((left, right) => left - right)).toEqual(Array.from({ length: 100 }, (_, index) => index));
    const recorded = parseLlamaPerplexityHellaswag(fs.readFileSync(datasetPath("llamacpp-reference", "stories260K.hellaswag.first200.out"), "utf8"), llamaCppHellaswagOrder(200));
    const disagreeing = items.filter((item) => (item.metrics.acc === 1) !== recorded.get(item.index));
    expect(disagreeing.map((item) => item.index)).toEqual([]);
    // Each item has its four endings' scores (finite log-likelihoods).
    expect(items.every((item) => item.scores?.length === 4 && item.scores.every((score) => Number.isFinite(score) && score < 0))).toBe(true);
  }, 180_000);
});
