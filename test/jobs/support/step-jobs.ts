import fs from "node:fs";
import path from "node:path";
import type { JobHandler } from "../../../src/jobs/index.js";

/** The job kind of the queue contract suite. */
export const stepJobKind = "contract.steps";

/**
 * A job of `steps` steps. At step `gateAt` (after it, progress `gateAt + 1`) it waits until its gate is opened
 * (`openGate`). Its first `failStarts` starts throw `planned failure <n>` before doing anything.
 */
export type StepJobPayload = { steps: number; gateAt?: number | undefined; failStarts?: number | undefined };

/** What a step job left in its folder: every start, the steps written (each at most once), aborts seen. */
export type StepJobTrace = {
  starts: Array<{ pid: number; at: number }>;
  /** Step numbers in the order they were written; a step done again would show twice. */
  writes: number[];
  aborts: number;
};

/**
 * The contract suite's handler: idempotent (a step already on disk is skipped, as real handlers skip work already
 * durably done), with a log of its starts that is NOT idempotent, so tests see each delivery. Its files live in
 * `<folder>/<job id>/`.
 */
export function stepJobHandlers(folder: string): Record<string, JobHandler> {
  const handler: JobHandler = async (job, context) => {
    const payload = job.payload as StepJobPayload;
    const directory = path.join(folder, job.id);
    fs.mkdirSync(directory, { recursive: true });
    fs.appendFileSync(path.join(directory, "starts.log"), `${JSON.stringify({ pid: process.pid, at: Date.now() })}\n`);
    const starts = readLines(path.join(directory, "starts.log")).length;
    if (starts <= (payload.failStarts ?? 0)) throw new Error(`planned failure ${starts}`);
    const aborted = () => {
      fs.appendFileSync(path.join(directory, "aborts.log"), "aborted\n");
      return context.signal.reason;
    };
    for (let step = 0; step < payload.steps; step += 1) {
      if (context.signal.aborted) throw aborted();
      const marker = path.join(directory, `step-${step}`);
      if (!fs.existsSync(marker)) {
        fs.writeFileSync(marker, String(step), { flag: "wx" });
        fs.appendFileSync(path.join(directory, "writes.log"), `${step}\n`);
      }
      context.progress(step + 1, payload.steps);
      if (step === payload.gateAt) {
        while (!fs.existsSync(path.join(directory, "gate-open"))) {
          if (context.signal.aborted) throw aborted();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
    return { steps: fs.readdirSync(directory).filter((name) => name.startsWith("step-")).length };
  };
  return { [stepJobKind]: handler };
}

/** Lets a step job waiting at its gate go on. */
export function openGate(folder: string, jobId: string): void {
  fs.mkdirSync(path.join(folder, jobId), { recursive: true });
  fs.writeFileSync(path.join(folder, jobId, "gate-open"), "");
}

export function readTrace(folder: string, jobId: string): StepJobTrace {
  const directory = path.join(folder, jobId);
  return {
    starts: readLines(path.join(directory, "starts.log")).map((line) => JSON.parse(line) as { pid: number; at: number }),
    writes: readLines(path.join(directory, "writes.log")).map(Number),
    aborts: readLines(path.join(directory, "aborts.log")).length,
  };
}

function readLines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((line) => line !== "") : [];
}
