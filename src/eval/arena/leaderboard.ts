import { type Battle, type BattleFilter, filterBattles } from "./battle-log.js";
import { bootstrapBradleyTerry, type BootstrapBradleyTerryOptions } from "./bootstrap-bradley-terry.js";
import { fitBradleyTerry, toBattleRows } from "./bradley-terry.js";
import { computeOnlineElo, type EloOptions } from "./online-elo.js";

export type LeaderboardEntry = {
  model: string;
  /** 1 + number of models whose lower bound exceeds this model's upper bound. */
  rank: number;
  /** Bradley–Terry MLE on all (filtered) battles. */
  rating: number;
  lower: number;
  upper: number;
  /** Online Elo over the same battles, for reference. */
  elo: number;
  battles: number;
};

export type Leaderboard = { category: string | undefined; battles: number; entries: LeaderboardEntry[] };

export type LeaderboardOptions = BattleFilter & { bradleyTerry?: BootstrapBradleyTerryOptions; elo?: EloOptions };

/** FastChat's leaderboard: filter, BT MLE with bootstrap intervals, rank by non-overlapping intervals, online Elo beside it. */
export function computeLeaderboard(battles: readonly Battle[], options: LeaderboardOptions = {}): Leaderboard {
  const kept = filterBattles(battles, options);
  if (kept.length === 0) return { category: options.category, battles: 0, entries: [] };
  const rows = toBattleRows(kept);
  const ratings = fitBradleyTerry(rows, options.bradleyTerry);
  const intervals = bootstrapBradleyTerry(rows, options.bradleyTerry);
  const elo = computeOnlineElo(kept, options.elo);
  const counts = new Map<string, number>();
  for (const battle of kept) {
    counts.set(battle.model_a, (counts.get(battle.model_a) ?? 0) + 1);
    counts.set(battle.model_b, (counts.get(battle.model_b) ?? 0) + 1);
  }
  const entries = rows.models.map((model) => ({
    model,
    rating: ratings.get(model)!,
    lower: intervals.get(model)!.lower,
    upper: intervals.get(model)!.upper,
    elo: elo.get(model)!,
    battles: counts.get(model) ?? 0,
    rank: 0,
  }));
  for (const entry of entries) entry.rank = 1 + entries.filter((other) => other.lower > entry.upper).length;
  entries.sort((x, y) => y.rating - x.rating);
  return { category: options.category, battles: kept.length, entries };
}

/** One leaderboard per category tag found in the battles (plus the overall one under `undefined`). */
export function computeCategoryLeaderboards(battles: readonly Battle[], options: Omit<LeaderboardOptions, "category"> = {}): Leaderboard[] {
  const categories = [...new Set(battles.flatMap((battle) => battle.categories ?? []))].sort();
  return [computeLeaderboard(battles, options), ...categories.map((category) => computeLeaderboard(battles, { ...options, category }))];
}
