import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEvalRunRepository } from "../../src/eval/index.js";
import { openDatabase } from "../../src/store/index.js";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { testModelPath } from "../support/test-models.js";
import { datasetPath } from "./support/datasets-path.js";
import { httpClient, pollRun } from "./support/http-client.js";

const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-eval-crash-"));
const adminKey = "aip_eval_crash_admin_key_0123456789";
const environment = { AIPLUS_HOME: home, AIPLUS_ADMIN_KEY: adminKey, AIPLUS_THREADS: "1", AIPLUS_GPU: "cpu", AIPLUS_LOG_LEVEL: "warn" };
const children: ServerProcess[] = [];

afterAll(async () => {
  for (const server of children) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
  }
  fs.rmSync(home, { recursive: true, force: true });
});

type ItemView = { index: number; item_id: string; scores: number[]; metrics: Record<string, number> };

describe("eval runs across a server crash", () => {
  it("resumes an interrupted run when the server starts again, keeping the items finished before kill -9", async () => {
    const first = await spawnServer(environment);
    children.push(first);
    const admin = httpClient(first.url, adminKey);
    expect((await admin("POST", "/admin/models", { path: await testModelPath("stories260K.gguf"), name: "stories" })).status).toBe(201);
    const started = await admin("POST", "/evals", { task: "hellaswag", model: "stories", data: datasetPath("hellaswag", "hellaswag_val_first200.txt"), limit: 120 });
    expect(started.status, started.text).toBe(202);
    const id = started.body.id as string;

    await pollRun(admin, id, (run) => run.progress.done >= 8, 20);
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");

    const second = await spawnServer(environment);
    children.push(second);
    const restarted = httpClient(second.url, adminKey);
    const interrupted = (await restarted("GET", `/evals/${id}`)).body;
    const before = (await restarted("GET", `/evals/${id}/items?limit=1000`)).body.data as ItemView[];
    expect(before.length).toBeGreaterThanOrEqual(8);
    expect(before.length).toBeLessThan(120);
    // `interrupted` until the new server's runner takes the run over (its first poll), then running again.
    expect(["interrupted", "running", "completed"]).toContain(interrupted.status);

    const finished = await pollRun(restarted, id, (run) => run.status !== "running" && run.status !== "pending" && run.status !== "interrupted");
    expect(finished.status).toBe("completed");
    expect(finished.progress).toEqual({ done: 120, total: 120 });
    const after = (await restarted("GET", `/evals/${id}/items?limit=1000`)).body.data as ItemView[];
    expect(after.map((item) => item.index)).toEqual(Array.from({ length: 120 }, (_, index) => index));
    for (const item of before) expect(after[item.index]).toEqual(item); // kept, not recomputed
    const accuracy = finished.metrics.find((metric: { name: string }) => metric.name === "acc");
    expect(accuracy.count).toBe(120);
    expect(accuracy.value).toBeCloseTo(after.reduce((sum, item) => sum + item.metrics.acc!, 0) / 120, 12);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 180_000);

  it("suspends a running evaluation on a graceful stop (pending, items kept) and finishes it on the next start", async () => {
    const first = await spawnServer(environment);
    children.push(first);
    const admin = httpClient(first.url, adminKey);
    const started = await admin("POST", "/evals", { task: "hellaswag", model: "stories", data: datasetPath("hellaswag", "hellaswag_val_first200.txt"), limit: 60, scoring: "lm-eval" });
    expect(started.status, started.text).toBe(202);
    const id = started.body.id as string;
    await pollRun(admin, id, (run) => run.progress.done >= 4, 20);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const database = await openDatabase(`sqlite:${path.join(home, "aiplus.db")}`);
    try {
      const suspended = await createEvalRunRepository(database).get(id);
      expect(suspended!.status).toBe("pending");
      expect(suspended!.doneItems).toBeGreaterThanOrEqual(4);
      expect(suspended!.doneItems).toBeLessThan(60);
    } finally {
      await database.dispose();
    }

    const second = await spawnServer(environment);
    children.push(second);
    const restarted = httpClient(second.url, adminKey);
    const finished = await pollRun(restarted, id, (run) => run.status === "completed" || run.status === "failed" || run.status === "cancelled");
    expect(finished.status).toBe("completed");
    expect(finished.progress).toEqual({ done: 60, total: 60 });
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 180_000);
});
