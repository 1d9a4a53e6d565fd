import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createJobRepository, type JobQueue, type JobRecord, JobRunner, type JobRunnerOptions } from "../../src/jobs/index.js";
import type { Database } from "../../src/store/index.js";
import { openGate, readTrace, stepJobHandlers, stepJobKind, type StepJobPayload } from "./support/step-jobs.js";
import { killWorker, spawnWorker, type WorkerProcess } from "./support/worker-processes.js";

/** A queue to run the contract on: its database (the jobs table) and the `JobQueue` setting that selects it. */
export type QueueUnderTest = {
  setUp(): Promise<{ database: Database; databaseUrl: string; queue: JobQueue; tearDown: () => Promise<void> }>;
};

/** Short, so that takeovers happen within a test; a BullMQ lock is renewed at half of it. */
const leaseMs = 2000;

/** Polls `check` until it holds; fails naming `what` after `deadlineMs` (a deadline, not a timing assertion). */
async function until(what: string, check: () => Promise<boolean> | boolean, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The queue contract: what every job queue behind `JobRunner` guarantees. At-least-once delivery with idempotent
 * handlers (a job interrupted by a crash runs again and its handler skips work already done), leases (a job whose
 * holder died or went silent is taken over by another runner or process) and retries with exponential backoff,
 * cancellation (a queued job never starts; a running one's signal aborts, on whichever runner it runs), progress, and
 * a graceful stop that gives running jobs back.
 */
export function describeQueueContract(name: string, underTest: QueueUnderTest): void {
  describe(`queue contract: ${name}`, () => {
    let database: Database;
    let databaseUrl: string;
    let queue: JobQueue;
    let tearDown: () => Promise<void>;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-queue-contract-"));
    const runners: JobRunner[] = [];
    const workers: WorkerProcess[] = [];

    beforeAll(async () => {
      ({ database, databaseUrl, queue, tearDown } = await underTest.setUp());
    });
    afterEach(async () => {
      await Promise.all(runners.splice(0).map((runner) => runner.dispose()));
      await Promise.all(workers.splice(0).map(killWorker));
    });
    afterAll(async () => {
      await tearDown?.();
      fs.rmSync(folder, { recursive: true, force: true });
    });

    /** A runner in this process (another "instance" of the same deployment: same database, same queue). */
    const newRunner = (options: Partial<JobRunnerOptions> = {}): JobRunner => {
      const runner = new JobRunner({
        database,
        queue,
        handlers: stepJobHandlers(folder),
        leaseMs,
        pollIntervalMs: 100,
        concurrency: 4,
        onError: (error) => process.stderr.write(`runner: ${String(error)}\n`),
        ...options,
      });
      runners.push(runner);
      return runner;
    };
    const newWorker = async (): Promise<WorkerProcess> => {
      const worker = await spawnWorker({ databaseUrl, folder, queue, leaseMs });
      workers.push(worker);
      return worker;
    };
    const enqueue = (runner: JobRunner, payload: StepJobPayload): Promise<JobRecord> => runner.enqueue({ id: randomUUID(), kind: stepJobKind, payload });
    const finished = (runner: JobRunner, job: JobRecord): Promise<JobRecord> => runner.waitFor(job.id, { intervalMs: 25 });

    it("delivers every job at least once to one of several runners and completes it, with its result and full progress", async () => {
      const first = newRunner();
      const second = newRunner();
      first.start();
      second.start();
      const jobs = await Promise.all(Array.from({ length: 6 }, (_, index) => enqueue(index % 2 === 0 ? first : second, { steps: 3 })));
      for (const job of jobs) expect(job.status).toBe("queued");
      for (const job of jobs) {
        const done = await finished(first, job);
        expect(done).toMatchObject({ status: "completed", result: { steps: 3 }, progress: { done: 3, total: 3 }, attempts: 1, error: undefined });
        const trace = readTrace(folder, job.id);
        expect(trace.starts).toHaveLength(1);
        expect(trace.writes).toEqual([0, 1, 2]);
      }
    });

    it("reports a running job's progress, readable through any runner", async () => {
      const worker = newRunner();
      worker.start();
      const observer = newRunner(); // never started, never enqueues: another instance answering reads
      const job = await enqueue(worker, { steps: 5, gateAt: 2 });
      await until("progress 3 of 5 while running", async () => {
        const seen = await observer.get(job.id);
        return seen?.status === "running" && seen.progress.done === 3 && seen.progress.total === 5;
      });
      openGate(folder, job.id);
      expect(await finished(observer, job)).toMatchObject({ status: "completed", progress: { done: 5, total: 5 } });
    });

    it("retries a failing job with exponential backoff until it succeeds, and fails it for good once its attempts are spent", async () => {
      const backoffMs = 300;
      const runner = newRunner({ retry: { attempts: 3, backoffMs } });
      runner.start();
      const flaky = await enqueue(runner, { steps: 2, failStarts: 2 });
      const hopeless = await enqueue(runner, { steps: 2, failStarts: 99 });

      expect(await finished(runner, flaky)).toMatchObject({ status: "completed", attempts: 3, error: undefined, result: { steps: 2 } });
      const starts = readTrace(folder, flaky.id).starts.map((start) => start.at);
      expect(starts).toHaveLength(3);
      // The waits before the retries: at least the backoff, then at least twice it (exponential).
      expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(backoffMs - 5);
      expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(2 * backoffMs - 5);
      expect(readTrace(folder, flaky.id).writes).toEqual([0, 1]);

      expect(await finished(runner, hopeless)).toMatchObject({ status: "failed", attempts: 3, error: "planned failure 3" });
      expect(readTrace(folder, hopeless.id).starts).toHaveLength(3);
      expect(readTrace(folder, hopeless.id).writes).toEqual([]);

      // Without a retry policy (every runner of the kind: the deployment's setting), a failing start fails the job.
      await runner.dispose();
      const once = newRunner();
      once.start();
      expect(await finished(once, await enqueue(once, { steps: 1, failStarts: 1 }))).toMatchObject({ status: "failed", attempts: 1, error: "planned failure 1" });
    });

    it("cancels a queued job before it starts, and a running job on another runner through its signal, without a retry", async () => {
      const worker = newRunner({ retry: { attempts: 3, backoffMs: 0 }, concurrency: 1 });
      worker.start();
      const other = newRunner({ retry: { attempts: 3, backoffMs: 0 } }); // another instance: never started, it only cancels
      const running = await enqueue(worker, { steps: 4, gateAt: 1 });
      await until("the job to run", async () => (await other.get(running.id))?.progress.done === 2);
      const queued = await enqueue(worker, { steps: 2 }); // waits: the worker's one slot is taken
      expect((await other.cancel(queued.id)).status).toBe("cancelled");
      expect((await other.cancel(running.id)).status).toBe("cancelled");
      await until("the handler to see its signal abort", () => readTrace(folder, running.id).aborts === 1);
      expect(await finished(other, running)).toMatchObject({ status: "cancelled" });

      // The worker went on with later work; neither cancelled job started (again).
      expect(await finished(worker, await enqueue(worker, { steps: 1 }))).toMatchObject({ status: "completed" });
      expect(readTrace(folder, queued.id).starts).toHaveLength(0);
      expect(readTrace(folder, running.id).starts).toHaveLength(1);
      expect(readTrace(folder, running.id).writes).toEqual([0, 1]);
      expect(await other.get(running.id)).toMatchObject({ status: "cancelled", attempts: 1 });
    });

    it("delivers a job written to the jobs table by a process without the queue (as the CLI does)", async () => {
      const id = randomUUID();
      await createJobRepository(database).insert({ id, kind: stepJobKind, payload: { steps: 2 } satisfies StepJobPayload, at: Date.now() });
      const runner = newRunner();
      runner.start();
      expect(await runner.waitFor(id, { intervalMs: 25 })).toMatchObject({ status: "completed", result: { steps: 2 } });
    });

    it("gives a running job back when its runner stops, and another runner finishes it without redoing its steps", async () => {
      const stopping = newRunner();
      stopping.start();
      const job = await enqueue(stopping, { steps: 4, gateAt: 1 });
      await until("the job to run", async () => (await stopping.get(job.id))?.progress.done === 2);
      const other = newRunner();
      other.start();
      await stopping.dispose();
      openGate(folder, job.id);
      expect(await finished(other, job)).toMatchObject({ status: "completed", result: { steps: 4 } });
      const trace = readTrace(folder, job.id);
      expect(trace.starts).toHaveLength(2);
      expect(trace.aborts).toBe(1);
      expect(trace.writes).toEqual([0, 1, 2, 3]);
    });

    it("finishes the jobs of a worker process killed with kill -9 on another worker, each step done once", async () => {
      const observer = newRunner(); // never started, never enqueues: only reads
      const doomed = await newWorker();
      const delivered = randomUUID();
      const inPlace = randomUUID();
      await doomed.enqueue(delivered, { steps: 5, gateAt: 2 }, { runHere: false }); // the only worker yet: delivered to it
      await doomed.enqueue(inPlace, { steps: 5, gateAt: 2 }, { runHere: true }); // as response and workflow runs start
      await until("both jobs to run in the doomed worker", async () => {
        for (const id of [delivered, inPlace]) {
          if ((await observer.get(id))?.progress.done !== 3) return false;
          if (readTrace(folder, id).starts[0]?.pid !== doomed.pid) return false;
        }
        return true;
      });

      const survivor = await newWorker();
      await killWorker(doomed);
      openGate(folder, delivered);
      openGate(folder, inPlace);
      for (const id of [delivered, inPlace]) {
        expect(await observer.waitFor(id, { intervalMs: 25 })).toMatchObject({ status: "completed", result: { steps: 5 }, progress: { done: 5, total: 5 }, attempts: 2 });
        const trace = readTrace(folder, id);
        expect(trace.starts.map((start) => start.pid)).toEqual([doomed.pid, survivor.pid]); // delivered again: at least once
        expect(trace.writes).toEqual([0, 1, 2, 3, 4]); // the idempotent handler did each step once
      }
      survivor.child.kill("SIGTERM");
      expect(await survivor.exited).toBe(0);
    });
  });
}
