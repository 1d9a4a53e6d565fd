import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import type { JobQueue, JobRetryPolicy } from "../../../src/jobs/index.js";
import type { StepJobPayload } from "./step-jobs.js";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const script = path.join(repositoryRoot, "test/jobs/support/job-worker-process.ts");

/** A job worker process (job-worker-process.ts). */
export type WorkerProcess = {
  child: ChildProcess;
  pid: number;
  holder: string;
  exited: Promise<number | NodeJS.Signals | null>;
  /** Enqueues a step job through that process's runner (with `runHere`, it runs there at once). */
  enqueue(id: string, payload: StepJobPayload, options: { runHere: boolean }): Promise<void>;
};

export type WorkerSettings = { databaseUrl: string; folder: string; queue: JobQueue; leaseMs: number; retry?: JobRetryPolicy | undefined };

export async function spawnWorker(settings: WorkerSettings): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      JOB_WORKER_DATABASE_URL: settings.databaseUrl,
      JOB_WORKER_FOLDER: settings.folder,
      JOB_WORKER_QUEUE: JSON.stringify(settings.queue),
      JOB_WORKER_LEASE_MS: String(settings.leaseMs),
      ...(settings.retry ? { JOB_WORKER_RETRY: JSON.stringify(settings.retry) } : {}),
    },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  const received: unknown[] = [];
  let notify = () => {};
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    received.push(JSON.parse(line));
    notify();
  });
  const nextMatching = async <T>(match: (value: unknown) => value is T): Promise<T> => {
    for (;;) {
      const found = received.find(match);
      if (found !== undefined) return found;
      const arrived = new Promise<void>((resolve) => (notify = resolve));
      const ended = exited.then((code) => Promise.reject(new Error(`the job worker exited (${String(code)})`)));
      await Promise.race([arrived, ended]);
    }
  };
  const ready = await nextMatching((value): value is { holder: string; pid: number } => typeof value === "object" && value !== null && "holder" in value);
  return {
    child,
    pid: ready.pid,
    holder: ready.holder,
    exited,
    async enqueue(id, payload, options) {
      child.stdin.write(`${JSON.stringify({ enqueue: { id, payload, runHere: options.runHere } })}\n`);
      await nextMatching((value): value is { enqueued: string } => typeof value === "object" && value !== null && (value as { enqueued?: string }).enqueued === id);
    },
  };
}

/** Kills a worker with SIGKILL (nothing of it runs any more) and waits for its exit. */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
  await worker.exited;
}
