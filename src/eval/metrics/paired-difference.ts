import { InvalidRequestError } from "../../spec/index.js";
import { type BootstrapOptions, bootstrapMeanInterval } from "./bootstrap-interval.js";
import { mean, sampleStandardError } from "./mean-and-stderr.js";

export type PairedDifference = {
  /** mean(b) − mean(a) over the shared items. */
  difference: number;
  standardError: number | undefined;
  /** Bootstrap interval of the mean per-item difference (items resampled as pairs). */
  interval: [number, number] | undefined;
  /** Items present in both runs. */
  count: number;
  /** Items present in only one run (ignored). */
  unmatched: number;
};

/**
 * Paired comparison of two runs of the same task: per-item differences `b − a` on the items both runs
 * scored, their mean, standard error and bootstrap interval.
 */
export function pairedDifference(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
  options: BootstrapOptions = {},
): PairedDifference {
  const differences: number[] = [];
  for (const [id, valueA] of a) {
    const valueB = b.get(id);
    if (valueB !== undefined) differences.push(valueB - valueA);
  }
  if (differences.length === 0) throw new InvalidRequestError({ message: "the two runs share no items" });
  return {
    difference: mean(differences),
    standardError: sampleStandardError(differences),
    interval: bootstrapMeanInterval(differences, options),
    count: differences.length,
    unmatched: a.size + b.size - 2 * differences.length,
  };
}
