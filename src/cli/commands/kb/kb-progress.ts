import cliProgress from "cli-progress";
import type { JobRecord } from "../../../jobs/index.js";

/** Shows a job's progress on stderr: a cli-progress bar on a terminal, else a line per change. */
export function createJobProgress(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr) {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} [{bar}] {value}/{total} ${unit} | {status}`, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(job: JobRecord): void {
        const total = Math.max(job.progress.total, 1);
        if (!started) {
          bar.start(total, job.progress.done, { status: job.status });
          started = true;
        }
        bar.setTotal(total);
        bar.update(job.progress.done, { status: job.status });
      },
      stop: () => bar.stop(),
    };
  }
  let last = "";
  return {
    update(job: JobRecord): void {
      const line = `${label}: ${job.progress.done}/${job.progress.total} ${unit} (${job.status})`;
      if (line !== last) stream.write(`${line}\n`);
      last = line;
    },
    stop: () => undefined,
  };
}
