import { z } from "zod";
import { parseJsonDocument } from "../datasets/parse-json-lines.js";
import { InvalidRequestError } from "../../spec/index.js";

export const battleWinners = ["model_a", "model_b", "tie", "tie (bothbad)"] as const;
export type BattleWinner = (typeof battleWinners)[number];

/** One battle, in FastChat `clean_battle_*.json` field names (extra fields are dropped). */
export const battleSchema = z
  .object({
    model_a: z.string().min(1),
    model_b: z.string().min(1),
    winner: z.enum(battleWinners),
    /** Unix seconds; battles are rated in this order. */
    tstamp: z.number().optional(),
    /** Whether the models were anonymous at vote time. Missing counts as anonymous (published logs often omit it). */
    anony: z.boolean().optional(),
    judge: z.string().optional(),
    language: z.string().optional(),
    /** Category tags, one leaderboard each. */
    categories: z.array(z.string().min(1)).optional(),
  })
  .refine((battle) => battle.model_a !== battle.model_b, "model_a and model_b must differ");

export type Battle = z.output<typeof battleSchema>;

/** Parses a JSON array (or JSON lines) of battle records; errors name the record. */
export function parseBattleLog(text: string, source = "battles.json"): Battle[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new InvalidRequestError({ message: `${source}: invalid JSON`, code: "invalid_battle_log", cause: error });
    }
    return parseJsonDocument(value, z.array(battleSchema), source);
  }
  return trimmed
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new InvalidRequestError({ message: `${source}:${index + 1}: invalid JSON`, code: "invalid_battle_log", cause: error });
      }
      return parseJsonDocument(value, battleSchema, `${source}:${index + 1}`);
    });
}

/** Serialises battles as a JSON array that `parseBattleLog` (and FastChat's loaders) read back. */
export function serializeBattleLog(battles: readonly Battle[]): string {
  return `${JSON.stringify(battles, null, 1)}\n`;
}

export type BattleFilter = {
  /** Keep only anonymous battles (FastChat `anony == True`). Defaults to true. */
  anonymousOnly?: boolean;
  /** Drop ties of both kinds (`exclude_tie`). Defaults to false. */
  excludeTies?: boolean;
  /** Keep only battles carrying this category tag. */
  category?: string | undefined;
};

/** FastChat `report_elo_analysis_results` filtering, then a stable sort by `tstamp` (missing stamps keep file order). */
export function filterBattles(battles: readonly Battle[], filter: BattleFilter = {}): Battle[] {
  const kept = battles.filter(
    (battle) =>
      (!(filter.anonymousOnly ?? true) || battle.anony !== false) &&
      (!filter.excludeTies || (battle.winner !== "tie" && battle.winner !== "tie (bothbad)")) &&
      (filter.category === undefined || (battle.categories ?? []).includes(filter.category)),
  );
  if (kept.every((battle) => battle.tstamp !== undefined)) {
    return kept.map((battle, index) => ({ battle, index })).sort((x, y) => x.battle.tstamp! - y.battle.tstamp! || x.index - y.index).map(({ battle }) => battle);
  }
  return kept;
}

/** 1, 0.5 or 0: model_a's score in a battle (both tie kinds are half a win). */
export function battleOutcome(winner: BattleWinner): number {
  switch (winner) {
    case "model_a":
      return 1;
    case "model_b":
      return 0;
    case "tie":
    case "tie (bothbad)":
      return 0.5;
    default:
      return winner satisfies never;
  }
}
