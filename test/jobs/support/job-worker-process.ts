/**
 * A job worker in its own process, for tests that kill one with SIGKILL: `node --import tsx job-worker-process.ts`.
 * Configured by the environment: JOB_WORKER_DATABASE_URL, JOB_WORKER_FOLDER (the step jobs' files), JOB_WORKER_QUEUE
 * (a JobQueue as JSON), JOB_WORKER_LEASE_MS, JOB_WORKER_RETRY (a JobRetryPolicy as JSON, optional). Starts a runner
 * with the step job handler and prints one JSON line `{"holder","pid"}`. Each stdin line
 * `{"enqueue":{id,payload,runHere}}` enqueues such a job through this process's runner (answered by `{"enqueued":id}`;
 * with `runHere` it runs in this process at once). Stops gracefully on SIGTERM.
 */
import readline from "node:readline";
import { type JobQueue, type JobRetryPolicy, JobRunner } from "../../../src/jobs/index.js";
import { openDatabase } from "../../../src/store/index.js";
import { stepJobHandlers, stepJobKind } from "./step-jobs.js";

const environment = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
};

const database = await openDatabase(environment("JOB_WORKER_DATABASE_URL"));
const runner = new JobRunner({
  database,
  handlers: stepJobHandlers(environment("JOB_WORKER_FOLDER")),
  queue: JSON.parse(environment("JOB_WORKER_QUEUE")) as JobQueue,
  leaseMs: Number(environment("JOB_WORKER_LEASE_MS")),
  pollIntervalMs: 100,
  concurrency: 4,
  retry: process.env.JOB_WORKER_RETRY ? (JSON.parse(process.env.JOB_WORKER_RETRY) as JobRetryPolicy) : undefined,
  onError: (error) => process.stderr.write(`job worker ${process.pid}: ${String(error)}\n`),
});
runner.start();
process.stdout.write(`${JSON.stringify({ holder: runner.holder, pid: process.pid })}\n`);

const commands = readline.createInterface({ input: process.stdin });
commands.on("line", (line) => {
  const { enqueue } = JSON.parse(line) as { enqueue: { id: string; payload: unknown; runHere: boolean } };
  void runner.enqueue({ id: enqueue.id, kind: stepJobKind, payload: enqueue.payload, runHere: enqueue.runHere }).then(
    () => process.stdout.write(`${JSON.stringify({ enqueued: enqueue.id })}\n`),
    (error: unknown) => process.stderr.write(`job worker ${process.pid}: ${String(error)}\n`),
  );
});

let stopping = false;
process.once("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  commands.close();
  runner
    .dispose()
    .then(() => database.dispose())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`job worker shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
});
