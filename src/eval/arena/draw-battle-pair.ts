import { InvalidRequestError } from "../../spec/index.js";

/** How the two models of a battle are drawn. */
export type BattleSampling = "balanced" | "uniform";

export type DrawBattlePairOptions = {
  /**
   * `balanced` (default): each unordered pair with weight 1 / (1 + battles it already had), so fewer-battled pairs
   * come up more often; `uniform`: every pair alike.
   */
  sampling?: BattleSampling | undefined;
  /** Uniform random number in [0, 1). Defaults to `Math.random`. */
  random?: (() => number) | undefined;
};

/** The key of an unordered pair in `pairCounts` (as the arena repository builds it). */
export function pairKey(first: string, second: string): string {
  return [first, second].sort().join("\u0000");
}

/**
 * Draws two different models from the candidates and a random side for each: returns `[modelA, modelB]`.
 * `pairCounts` holds the battles per unordered pair so far.
 */
export function drawBattlePair(candidates: readonly string[], pairCounts: ReadonlyMap<string, number>, options: DrawBattlePairOptions = {}): [string, string] {
  const models = [...new Set(candidates)];
  if (models.length < 2) {
    throw new InvalidRequestError({ message: `a battle needs two different models; ${models.length === 0 ? "none is" : `only ${models[0]} is`} available`, param: "models" });
  }
  const random = options.random ?? Math.random;
  const pairs: { pair: [string, string]; weight: number }[] = [];
  for (let first = 0; first < models.length; first += 1) {
    for (let second = first + 1; second < models.length; second += 1) {
      const pair: [string, string] = [models[first]!, models[second]!];
      const weight = (options.sampling ?? "balanced") === "uniform" ? 1 : 1 / (1 + (pairCounts.get(pairKey(...pair)) ?? 0));
      pairs.push({ pair, weight });
    }
  }
  const total = pairs.reduce((sum, entry) => sum + entry.weight, 0);
  let target = random() * total;
  let chosen = pairs[pairs.length - 1]!.pair;
  for (const entry of pairs) {
    if (target < entry.weight) {
      chosen = entry.pair;
      break;
    }
    target -= entry.weight;
  }
  return random() < 0.5 ? [chosen[0], chosen[1]] : [chosen[1], chosen[0]];
}
