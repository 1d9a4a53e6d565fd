import { type Battle, battleOutcome } from "./battle-log.js";

export type EloOptions = {
  /** Defaults to 4. */
  k?: number;
  /** Defaults to 10. */
  base?: number;
  /** Defaults to 400. */
  scale?: number;
  /** Defaults to 1000. */
  initialRating?: number;
};

/**
 * FastChat `compute_elo`: one sequential pass in the given order; both sides' expectations are computed
 * separately (`ea`, `eb`), exactly as FastChat does. Order-dependent: shown for reference beside BT.
 */
export function computeOnlineElo(battles: readonly Battle[], options: EloOptions = {}): Map<string, number> {
  const k = options.k ?? 4;
  const base = options.base ?? 10;
  const scale = options.scale ?? 400;
  const initial = options.initialRating ?? 1000;
  const ratings = new Map<string, number>();
  for (const battle of battles) {
    const ratingA = ratings.get(battle.model_a) ?? initial;
    const ratingB = ratings.get(battle.model_b) ?? initial;
    const expectedA = 1 / (1 + base ** ((ratingB - ratingA) / scale));
    const expectedB = 1 / (1 + base ** ((ratingA - ratingB) / scale));
    const scoreA = battleOutcome(battle.winner);
    ratings.set(battle.model_a, ratingA + k * (scoreA - expectedA));
    ratings.set(battle.model_b, ratingB + k * (1 - scoreA - expectedB));
  }
  return ratings;
}
