import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  type Battle,
  computeCategoryLeaderboards,
  computeLeaderboard,
  computeOnlineElo,
  filterBattles,
  fitBradleyTerry,
  parseBattleLog,
  serializeBattleLog,
  toBattleRows,
} from "../../src/eval/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";
import { datasetPath } from "./support/datasets-path.js";

type Expected = {
  n_battles_after_filter: number;
  online_elo: { ratings: Record<string, number> };
  bradley_terry_mle: { ratings_exact_newton: Record<string, number>; ratings_lbfgs_gtol1e6_from_zero?: Record<string, number> };
};

async function synthetic() {
  const battles = parseBattleLog(await readFile(datasetPath("arena/synthetic_battles_seed1.json"), "utf8"));
  const expected = JSON.parse(await readFile(datasetPath("arena/synthetic_battles_seed1.expected.json"), "utf8")) as Expected;
  return { battles, expected };
}

describe("arena ratings on the synthetic battles", () => {
  it("keeps anonymous battles only, in tstamp order", async () => {
    const { battles, expected } = await synthetic();
    expect(battles).toHaveLength(2000);
    expect(filterBattles(battles)).toHaveLength(expected.n_battles_after_filter);
    expect(filterBattles(battles, { anonymousOnly: false })).toHaveLength(2000);
    expect(filterBattles(battles, { excludeTies: true }).every((battle) => battle.winner === "model_a" || battle.winner === "model_b")).toBe(true);
  });

  it("reproduces the online Elo exactly", async () => {
    const { battles, expected } = await synthetic();
    const elo = computeOnlineElo(filterBattles(battles));
    for (const [model, rating] of Object.entries(expected.online_elo.ratings)) expect(Math.abs(elo.get(model)! - rating)).toBeLessThan(1e-6);
  });

  it("reproduces the Bradley–Terry MLE within 1e-3, mean 1000", async () => {
    const { battles, expected } = await synthetic();
    const ratings = fitBradleyTerry(toBattleRows(filterBattles(battles)));
    for (const [model, rating] of Object.entries(expected.bradley_terry_mle.ratings_exact_newton)) expect(Math.abs(ratings.get(model)! - rating)).toBeLessThan(1e-3);
    const average = [...ratings.values()].reduce((sum, value) => sum + value, 0) / ratings.size;
    expect(average).toBeCloseTo(1000, 9);
    const anchored = fitBradleyTerry(toBattleRows(filterBattles(battles)), { anchor: { model: "model-foxtrot", rating: 1114 } });
    expect(anchored.get("model-foxtrot")).toBeCloseTo(1114, 9);
    expect(anchored.get("model-alpha")! - anchored.get("model-hotel")!).toBeCloseTo(ratings.get("model-alpha")! - ratings.get("model-hotel")!, 9);
  });

  it("builds a leaderboard with bootstrap intervals and interval-based ranks", async () => {
    const { battles, expected } = await synthetic();
    const board = computeLeaderboard(battles, { bradleyTerry: { rounds: 60, seed: 1 } });
    expect(board.battles).toBe(1893);
    expect(board.entries.map((entry) => entry.model)).toEqual(Object.keys(expected.bradley_terry_mle.ratings_exact_newton));
    for (const entry of board.entries) {
      expect(entry.lower).toBeLessThan(entry.rating);
      expect(entry.upper).toBeGreaterThan(entry.rating);
      // about ±2 standard errors of ~470 battles per model
      expect(entry.upper - entry.lower).toBeGreaterThan(20);
      expect(entry.upper - entry.lower).toBeLessThan(120);
      expect(entry.rank).toBe(1 + board.entries.filter((other) => other.lower > entry.upper).length);
      expect(entry.elo).toBeCloseTo(expected.online_elo.ratings[entry.model]!, 6);
    }
    expect(board.entries[0]!.rank).toBe(1);
    expect(board.entries.at(-1)!.rank).toBeGreaterThan(1);
    expect(board.entries.reduce((sum, entry) => sum + entry.battles, 0)).toBe(2 * 1893);
  });
});

describe("battle logs", () => {
  it("exports and re-imports battles, as a JSON array or JSON lines", () => {
    const battles: Battle[] = [
      { model_a: "x", model_b: "y", winner: "model_a", tstamp: 2, categories: ["coding"] },
      { model_a: "y", model_b: "z", winner: "tie (bothbad)", tstamp: 1 },
    ];
    expect(parseBattleLog(serializeBattleLog(battles))).toEqual(battles);
    expect(parseBattleLog(battles.map((battle) => JSON.stringify(battle)).join("\n"))).toEqual(battles);
    expect(filterBattles(battles).map((battle) => battle.tstamp)).toEqual([1, 2]);
  });

  it("rejects unknown winners, self-battles and broken JSON with InvalidRequestError", () => {
    expect(() => parseBattleLog('[{"model_a": "x", "model_b": "y", "winner": "a"}]')).toThrow(InvalidRequestError);
    expect(() => parseBattleLog('[{"model_a": "x", "model_b": "x", "winner": "tie"}]')).toThrow(/must differ/);
    expect(() => parseBattleLog("[{")).toThrow(InvalidRequestError);
  });

  it("builds one board per category", () => {
    const battles: Battle[] = [];
    for (let index = 0; index < 30; index += 1) {
      battles.push({ model_a: "x", model_b: "y", winner: index % 3 === 0 ? "model_b" : "model_a", categories: ["coding"] });
      battles.push({ model_a: "y", model_b: "z", winner: index % 3 === 0 ? "tie" : "model_a", categories: ["writing"] });
    }
    const boards = computeCategoryLeaderboards(battles, { bradleyTerry: { rounds: 20 } });
    expect(boards.map((board) => [board.category, board.battles])).toEqual([
      [undefined, 60],
      ["coding", 30],
      ["writing", 30],
    ]);
    expect(boards[1]!.entries.map((entry) => entry.model)).toEqual(["x", "y"]);
    // x beats y 2:1 → rating gap 400·log10(2) ≈ 120.4
    expect(boards[1]!.entries[0]!.rating - boards[1]!.entries[1]!.rating).toBeCloseTo(400 * Math.log10(2), 6);
    expect(computeLeaderboard([], {}).entries).toEqual([]);
  });
});
