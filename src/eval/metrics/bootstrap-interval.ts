import { PythonRandom } from "../generative/python-random.js";
import { quantileSorted } from "./quantile.js";

export type BootstrapOptions = {
  /** Resampling rounds. Defaults to 1000. */
  rounds?: number;
  /** Seed of the resampling RNG (CPython MT19937, `randbelow`). Defaults to 1234. */
  seed?: number;
  /** Central coverage of the percentile interval. Defaults to 0.95. */
  confidence?: number;
};

/**
 * Percentile bootstrap interval of the mean: `rounds` resamples of n values with replacement, then the
 * (1−c)/2 and (1+c)/2 quantiles (numpy `linear`) of the resampled means. Deterministic for a seed.
 * `undefined` for no values.
 */
export function bootstrapMeanInterval(values: readonly number[], options: BootstrapOptions = {}): [number, number] | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const rounds = options.rounds ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const random = new PythonRandom(options.seed ?? 1234);
  const means: number[] = new Array<number>(rounds);
  for (let round = 0; round < rounds; round += 1) {
    let sum = 0;
    for (let draw = 0; draw < n; draw += 1) sum += values[random.randbelow(n)]!;
    means[round] = sum / n;
  }
  means.sort((a, b) => a - b);
  return [quantileSorted(means, (1 - confidence) / 2), quantileSorted(means, (1 + confidence) / 2)];
}
