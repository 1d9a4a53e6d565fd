import type { PullProgress } from "../runtime/pull/index.js";
import { DownloadRate } from "./download-rate.js";
import type { PullProgressRecord, PullProgressRepository } from "./pull-progress-repository.js";

/**
 * Turns a download's progress callbacks into `model_pulls` rows: at most one write per `intervalMs` (the last one is
 * always written by `flush`), each with the moving-window rate. Writes are serialized; a failed write is reported and
 * the next one tries again.
 */
export class PullProgressWriter {
  private readonly rate = new DownloadRate();
  private latest: PullProgressRecord | undefined;
  private written = true;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private writing: Promise<void> = Promise.resolve();
  /** A write scheduled for the end of the interval, so figures that arrive just before a stall are still written. */
  private trailing: NodeJS.Timeout | undefined;

  constructor(
    private readonly id: string,
    private readonly options: { repository: PullProgressRepository; now: () => number; intervalMs: number; onError: (error: unknown) => void },
  ) {}

  update(progress: PullProgress): void {
    const at = this.options.now();
    const rate = this.rate.update(at, progress.bytesDone);
    this.latest = { bytesDone: progress.bytesDone, bytesTotal: progress.bytesTotal, rateBytesPerSecond: rate, resumedFrom: progress.resumedFrom, errorCode: undefined, updatedAt: at };
    this.written = false;
    const wait = this.lastWriteAt + this.options.intervalMs - at;
    if (wait <= 0) this.queueWrite();
    else this.trailing ??= setTimeout(() => this.queueWrite(), wait);
  }

  /** Writes the latest figures (if not written yet), with the rate cleared when the download is over. */
  async flush(options: { stopped: boolean }): Promise<void> {
    if (this.latest && options.stopped) {
      this.latest = { ...this.latest, rateBytesPerSecond: undefined, updatedAt: this.options.now() };
      this.written = false;
    }
    this.queueWrite();
    await this.writing;
  }

  private queueWrite(): void {
    clearTimeout(this.trailing);
    this.trailing = undefined;
    const record = this.latest;
    if (!record || this.written) return;
    this.written = true;
    this.lastWriteAt = this.options.now();
    this.writing = this.writing.then(() => this.options.repository.write(this.id, record)).catch(this.options.onError);
  }
}
