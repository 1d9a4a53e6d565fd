import cliProgress from "cli-progress";
import type { PullProgress } from "../runtime/pull/index.js";
import { formatBytes } from "./output.js";

/** Shows download progress on stderr: a cli-progress bar on a terminal, else a plain line every 10%. */
export function createDownloadProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} [{bar}] {percentage}% | {done} of {size} | {speed}/s | eta {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const startedAt = Date.now();
    return {
      update({ bytesDone, bytesTotal, resumedFrom }: PullProgress): void {
        const total = bytesTotal ?? Math.max(bytesDone, 1);
        const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
        const payload = { done: formatBytes(bytesDone), size: bytesTotal === undefined ? "?" : formatBytes(bytesTotal), speed: formatBytes((bytesDone - resumedFrom) / seconds) };
        if (!started) {
          bar.start(total, bytesDone, payload);
          started = true;
        }
        bar.setTotal(total);
        bar.update(bytesDone, payload);
      },
      stop: () => bar.stop(),
    };
  }
  let lastStep = -1;
  return {
    update({ bytesDone, bytesTotal, resumedFrom }: PullProgress): void {
      if (lastStep === -1 && resumedFrom > 0) stream.write(`${label}: resuming at ${formatBytes(resumedFrom)}\n`);
      const step = bytesTotal ? Math.floor((bytesDone / bytesTotal) * 10) : Math.floor(bytesDone / 100_000_000);
      if (step === lastStep) return;
      lastStep = step;
      const percent = bytesTotal ? `${step * 10}% ` : "";
      stream.write(`${label}: ${percent}${formatBytes(bytesDone)}${bytesTotal ? ` of ${formatBytes(bytesTotal)}` : ""}\n`);
    },
    stop: () => undefined,
  };
}
