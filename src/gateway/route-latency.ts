/** One measured call: how long it took until its answer started, and when (epoch ms). */
export type LatencySample = { milliseconds: number; at: number };

/** What the admin API shows of a route's recent latency. */
export type LatencySnapshot = {
  /** Mean of the recent samples. */
  averageMs: number;
  lastMs: number;
  /** Epoch ms of the latest sample. */
  lastAt: number;
  samples: number;
};

/**
 * The latest latencies of one route: time until its answer started (a stream's first content part, the end of a
 * non-streamed call or an embedding). Only successful calls are sampled; the oldest sample goes when the window is full.
 */
export class RouteLatency {
  private readonly samples: LatencySample[] = [];

  constructor(private readonly capacity = 20) {}

  record(milliseconds: number, at: number): void {
    this.samples.push({ milliseconds, at });
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  recent(): readonly LatencySample[] {
    return this.samples;
  }
}

/** Mean, latest and count of samples (from one route or several); undefined without samples. */
export function summarizeLatency(samples: readonly LatencySample[]): LatencySnapshot | undefined {
  if (samples.length === 0) return undefined;
  const latest = samples.reduce((newest, sample) => (sample.at >= newest.at ? sample : newest));
  const total = samples.reduce((sum, sample) => sum + sample.milliseconds, 0);
  return { averageMs: total / samples.length, lastMs: latest.milliseconds, lastAt: latest.at, samples: samples.length };
}
