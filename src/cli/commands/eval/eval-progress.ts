import cliProgress from "cli-progress";

/** Shows run progress on stderr: a cli-progress bar on a terminal, else one line per change. */
export function createRunProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} [{bar}] {value}/{total} items | {eta_formatted} left`, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done: number, total: number): void {
        if (total <= 0) return;
        if (!started) {
          bar.start(total, done);
          started = true;
        }
        bar.setTotal(total);
        bar.update(done);
      },
      stop: () => (started ? bar.stop() : undefined),
    };
  }
  let last = "";
  return {
    update(done: number, total: number): void {
      if (total <= 0) return;
      const line = `${label}: ${done}/${total} items`;
      if (line !== last) stream.write(`${line}\n`);
      last = line;
    },
    stop: () => undefined,
  };
}
