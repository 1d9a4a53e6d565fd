import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cancelEvalRun,
  compareEvalRuns,
  createEvalRun,
  createLocalLoglikelihoodBackend,
  getEvalRun,
  listEvalRunItems,
  listEvalRuns,
  resumeEvalRun,
  startEvalRun,
  type EvalRunDependencies,
} from "../../src/eval/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { InvalidRequestError, NotFoundError } from "../../src/spec/index.js";
import { type Database, openDatabase } from "../../src/store/index.js";
import { datasetPath } from "./support/datasets-path.js";
import { createTestRuntime, registeredEvalModel } from "./support/local-backend.js";

let folder: string;
let databaseUrl: string;
let database: Database;
let runtime: Runtime;
let dependencies: EvalRunDependencies;
const winogrande = datasetPath("winogrande", "winogrande-debiased-eval.first200.csv");
const repositoryRoot = path.resolve(import.meta.dirname, "../..");

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-eval-runs-"));
  databaseUrl = `sqlite:${path.join(folder, "aiplus.db")}`;
  database = await openDatabase(databaseUrl);
  runtime = createTestRuntime();
  const model = await registeredEvalModel("stories260K.gguf");
  let counter = 0;
  dependencies = {
    database,
    loglikelihoodBackend: (name) => {
      if (name !== "stories260K") throw new NotFoundError({ message: `unknown model ${name}`, param: "model" });
      return createLocalLoglikelihoodBackend(runtime, model);
    },
    newId: () => `run-${++counter}`,
  };
});
afterAll(async () => {
  await runtime.dispose();
  await database.dispose();
  fs.rmSync(folder, { recursive: true, force: true });
});

/** Runs the child until it reported `atLeast` finished items, then kills it with SIGKILL. */
function runChildAndKill(runId: string, atLeast: number): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/eval/support/eval-run-child.ts", databaseUrl, runId], { cwd: repositoryRoot, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let killed = false;
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const done = [...output.matchAll(/done (\d+)\//g)].map((match) => Number(match[1]));
      if (!killed && done.some((value) => value >= atLeast)) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", () => resolve({ killed, output }));
  });
}

describe("durable eval runs", () => {
  it("resumes after kill -9 without recomputing or duplicating items, with the metrics of an uninterrupted run", async () => {
    const request = { task: "winogrande", model: "stories260K", dataPath: winogrande, limit: 60 };
    const run = await createEvalRun(dependencies, request);
    expect(run).toMatchObject({ status: "pending", scoring: "llama.cpp", doneItems: 0 });

    const child = await runChildAndKill(run.id, 6);
    expect(child.killed, child.output).toBe(true);
    const interrupted = await getEvalRun(dependencies, run.id);
    expect(interrupted.status).toBe("running"); // nobody finished it: the process died
    const before = await listEvalRunItems(dependencies, run.id);
    expect(before.length).toBeGreaterThanOrEqual(5);
    expect(before.length).toBeLessThan(60);
    expect(interrupted.doneItems).toBe(before.length);

    const progress: number[] = [];
    const resumed = await resumeEvalRun(dependencies, run.id, { onProgress: (done) => progress.push(done) });
    expect(resumed.run.status).toBe("completed");
    const storedBefore = new Set(before.map((item) => item.itemIndex));
    expect(resumed.computedItems.filter((index) => storedBefore.has(index))).toEqual([]);
    expect(resumed.computedItems).toHaveLength(60 - before.length);
    expect(progress.at(0)).toBe(before.length + 1);
    expect(progress.at(-1)).toBe(60);

    const after = await listEvalRunItems(dependencies, run.id);
    expect(after.map((item) => item.itemIndex)).toEqual(Array.from({ length: 60 }, (_, index) => index));
    for (const item of before) expect(after[item.itemIndex]).toEqual(item); // kept as they were

    const uninterrupted = await startEvalRun(dependencies, request);
    expect(uninterrupted.computedItems).toHaveLength(60);
    expect(resumed.run.metrics).toEqual(uninterrupted.run.metrics);
    const accuracy = resumed.run.metrics!.find((metric) => metric.name === "acc")!;
    expect(accuracy.count).toBe(60);
    expect(accuracy.standardError).toBeGreaterThan(0);
    expect(accuracy.interval![0]).toBeLessThanOrEqual(accuracy.value);
    expect(accuracy.interval![1]).toBeGreaterThanOrEqual(accuracy.value);
    expect((await resumeEvalRun(dependencies, run.id).catch((error: unknown) => error)) as Error).toBeInstanceOf(InvalidRequestError);
  });

  it("cancels through the signal, keeps the finished items, and resumes to completion", async () => {
    const controller = new AbortController();
    const execution = await startEvalRun(
      dependencies,
      { task: "hellaswag", model: "stories260K", dataPath: datasetPath("hellaswag", "hellaswag_val_first200.txt"), limit: 12 },
      { commitEvery: 2, signal: controller.signal, onProgress: (done) => done >= 3 && controller.abort() },
    );
    expect(execution.run.status).toBe("cancelled");
    expect(execution.run.doneItems).toBe(3);
    expect(execution.run.metrics?.[0]?.count).toBe(3);
    const resumed = await resumeEvalRun(dependencies, execution.run.id);
    expect(resumed.run).toMatchObject({ status: "completed", doneItems: 12, totalItems: 12 });
    expect(resumed.computedItems).toHaveLength(9);
  });

  it("stops a run that another process cancelled", async () => {
    const run = await createEvalRun(dependencies, { task: "winogrande", model: "stories260K", dataPath: winogrande, limit: 30 });
    const execution = await resumeEvalRun(dependencies, run.id, {
      commitEvery: 1,
      onProgress: (done) => {
        if (done === 4) void cancelEvalRun(dependencies, run.id);
      },
    });
    expect(execution.run.status).toBe("cancelled");
    expect(execution.run.doneItems).toBeLessThan(30);
  });

  it("compares two runs of the same task with a paired difference and lists runs", async () => {
    const base = { task: "winogrande", model: "stories260K", dataPath: winogrande, limit: 40 } as const;
    const llama = await startEvalRun(dependencies, { ...base, scoring: "llama.cpp" });
    const lmEval = await startEvalRun(dependencies, { ...base, scoring: "lm-eval" });
    expect(lmEval.run.scoring).toBe("lm-eval");
    const comparison = await compareEvalRuns(dependencies, llama.run.id, lmEval.run.id);
    const accuracy = (metrics: typeof llama.run.metrics) => metrics!.find((metric) => metric.name === "acc")!.value;
    expect(comparison).toMatchObject({ task: "winogrande", metric: "acc", count: 40, unmatched: 0 });
    expect(comparison.difference).toBeCloseTo(accuracy(lmEval.run.metrics) - accuracy(llama.run.metrics), 12);
    expect(comparison.interval![0]).toBeLessThanOrEqual(comparison.difference);
    const listed = await listEvalRuns(dependencies, { task: "winogrande", status: "completed" });
    expect(listed.map((run) => run.id)).toContain(lmEval.run.id);
  });

  it("rejects bad requests clearly and leaves no run behind", async () => {
    const count = (await listEvalRuns(dependencies)).length;
    await expect(createEvalRun(dependencies, { task: "nope", model: "stories260K", dataPath: winogrande })).rejects.toBeInstanceOf(NotFoundError);
    await expect(createEvalRun(dependencies, { task: "gsm8k", model: "stories260K", dataPath: winogrande })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(createEvalRun(dependencies, { task: "winogrande", model: "stories260K", dataPath: path.join(folder, "missing.csv") })).rejects.toThrow();
    await expect(createEvalRun(dependencies, { task: "truthfulqa_mc2", model: "stories260K", dataPath: winogrande, scoring: "llama.cpp" })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(createEvalRun(dependencies, { task: "winogrande", model: "", dataPath: winogrande })).rejects.toBeInstanceOf(InvalidRequestError);
    expect((await listEvalRuns(dependencies)).length).toBe(count);
    await expect(getEvalRun(dependencies, "missing")).rejects.toBeInstanceOf(NotFoundError);
    // an unknown model fails the run (stored with its error), it does not crash
    const failed = await startEvalRun(dependencies, { task: "winogrande", model: "other", dataPath: winogrande, limit: 2 });
    expect(failed.run).toMatchObject({ status: "failed", error: "unknown model other" });
  });
});
