import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createJobRepository, JobRunner, type JobHandler } from "../../src/jobs/index.js";
import { openDatabase, type Database } from "../../src/store/index.js";

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-jobs-"));
let database: Database;
let counter = 0;
beforeEach(async () => {
  database = await openDatabase(path.join(folder, `jobs-${++counter}.db`));
  return () => database.dispose();
});
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

const sum: JobHandler = async (job, context) => {
  const numbers = job.payload as number[];
  numbers.forEach((_, index) => context.progress(index + 1, numbers.length));
  return numbers.reduce((total, value) => total + value, 0);
};

describe("JobRunner", () => {
  it("runs queued jobs to completion with progress, and records a failing handler's error", async () => {
    const runner = new JobRunner({ database, handlers: { sum, fail: async () => Promise.reject(new Error("boom")) }, pollIntervalMs: 20 });
    runner.start();
    const job = await runner.enqueue({ kind: "sum", payload: [1, 2, 3], subject: "s" });
    expect(job.status).toBe("queued");
    const done = await runner.waitFor(job.id, { intervalMs: 10 });
    expect(done).toMatchObject({ status: "completed", result: 6, progress: { done: 3, total: 3 }, attempts: 1 });
    const failed = await runner.waitFor((await runner.enqueue({ kind: "fail", payload: null })).id, { intervalMs: 10 });
    expect(failed).toMatchObject({ status: "failed", error: "boom" });
    expect((await runner.list({ subject: "s" })).map((entry) => entry.id)).toEqual([job.id]);
    await expect(runner.enqueue({ kind: "unknown", payload: null })).rejects.toThrow(/unknown job kind/);
    await runner.dispose();
  });

  it("cancels a running job through its abort signal", async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const wait: JobHandler = (_job, context) =>
      new Promise((_resolve, reject) => {
        started();
        context.signal.addEventListener("abort", () => reject(context.signal.reason));
      });
    const runner = new JobRunner({ database, handlers: { wait } });
    const job = await runner.enqueue({ kind: "wait", payload: null, runHere: true });
    await running;
    expect((await runner.cancel(job.id)).status).toBe("cancelled");
    expect((await runner.waitFor(job.id, { intervalMs: 10 })).status).toBe("cancelled");
    await runner.dispose();
  });

  it("takes over a job whose holder process is dead or whose heartbeat expired, never a live one", async () => {
    const repository = createJobRepository(database);
    let clock = 1_000_000;
    const hostname = os.hostname();
    await repository.insert({ id: "dead", kind: "sum", payload: [5], holder: `${hostname}/2147483646/gone`, at: clock });
    await repository.insert({ id: "live", kind: "sum", payload: [7], holder: `${hostname}/${process.pid}/other-runner`, at: clock });
    const runner = new JobRunner({ database, handlers: { sum }, now: () => clock, leaseMs: 30_000 });
    await runner.runPending();
    expect(await runner.get("dead")).toMatchObject({ status: "completed", result: 5, attempts: 2 });
    expect(await runner.get("live")).toMatchObject({ status: "running", attempts: 1 });
    clock += 31_000; // the other runner stopped heartbeating
    await runner.runPending();
    expect(await runner.get("live")).toMatchObject({ status: "completed", result: 7, attempts: 2 });
    await runner.dispose();
  });

  it("gives its running jobs back to the queue when it stops", async () => {
    const wait: JobHandler = (_job, context) => new Promise((_resolve, reject) => context.signal.addEventListener("abort", () => reject(context.signal.reason)));
    const runner = new JobRunner({ database, handlers: { wait } });
    const job = await runner.enqueue({ kind: "wait", payload: null, runHere: true });
    await runner.dispose();
    expect(await runner.get(job.id)).toMatchObject({ status: "queued" });
  });
});
