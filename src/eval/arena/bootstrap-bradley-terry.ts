import { PythonRandom } from "../generative/python-random.js";
import { quantileSorted } from "../metrics/quantile.js";
import { type BattleRows, type BradleyTerryOptions, scaleRatings, solveBradleyTerry } from "./bradley-terry.js";

export type BootstrapBradleyTerryOptions = BradleyTerryOptions & {
  /** Rounds. Defaults to 100 (FastChat `elo_analysis`). */
  rounds?: number;
  /** Seed of the re-weighting RNG. Defaults to 0. */
  seed?: number;
};

export type RatingInterval = { lower: number; upper: number };

/**
 * FastChat `compute_bootstrap_bt`: each round draws N battles from the unique rows with probabilities
 * count/N (a multinomial re-weighting), refits BT and keeps the scaled ratings; the interval is the
 * 2.5%/97.5% quantile. Seeded with our CPython-compatible MT19937, not numpy's PCG64, so the rounds
 * differ from FastChat's: compare intervals with a tolerance.
 */
export function bootstrapBradleyTerry(rows: BattleRows, options: BootstrapBradleyTerryOptions = {}): Map<string, RatingInterval> {
  const rounds = options.rounds ?? 100;
  const random = new PythonRandom(options.seed ?? 0);
  const alpha = Math.log(options.base ?? 10);
  const cumulative: number[] = [];
  let running = 0;
  for (const row of rows.rows) {
    running += row.count;
    cumulative.push(running);
  }
  const fullFit = solveBradleyTerry(rows, rows.rows.map((row) => row.count), alpha, options);
  const samples = rows.models.map(() => [] as number[]);
  for (let round = 0; round < rounds; round += 1) {
    const weights = new Array<number>(rows.rows.length).fill(0);
    for (let draw = 0; draw < rows.total; draw += 1) {
      const target = random.random() * rows.total;
      let low = 0;
      let high = cumulative.length - 1;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (cumulative[middle]! > target) high = middle;
        else low = middle + 1;
      }
      weights[low]! += 1;
    }
    const ratings = scaleRatings(rows.models, solveBradleyTerry(rows, weights, alpha, options, fullFit), options);
    rows.models.forEach((model, index) => samples[index]!.push(ratings.get(model)!));
  }
  return new Map(
    rows.models.map((model, index) => {
      const sorted = samples[index]!.sort((a, b) => a - b);
      return [model, { lower: quantileSorted(sorted, 0.025), upper: quantileSorted(sorted, 0.975) }];
    }),
  );
}
