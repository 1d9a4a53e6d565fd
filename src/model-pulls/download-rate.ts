/**
 * Bytes per second over the last `windowMs` of progress samples (a moving window, so a stall shows as a falling rate
 * rather than the whole download's average). Undefined until two samples span some time.
 */
export class DownloadRate {
  private readonly samples: Array<{ at: number; bytes: number }> = [];

  constructor(private readonly windowMs = 3000) {}

  /** Adds a sample; returns the current rate. */
  update(at: number, bytes: number): number | undefined {
    this.samples.push({ at, bytes });
    // Keep one sample at or before the window's start, so the window is always spanned.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const elapsed = at - first.at;
    if (elapsed <= 0) return undefined;
    return ((bytes - first.bytes) * 1000) / elapsed;
  }
}
