import { randomBytes } from "node:crypto";
import { InvalidRequestError, NotFoundError, PermissionDeniedError } from "../../spec/index.js";
import { arenaBattleImportKey, type DatabaseExecutor, importedBattleContent, occurrenceCounter } from "../../store/index.js";
import { type Battle, type BattleWinner, parseBattleLog } from "../arena/battle-log.js";
import { type BattleSampling, drawBattlePair } from "../arena/draw-battle-pair.js";
import { computeLeaderboard, type Leaderboard } from "../arena/leaderboard.js";
import { type ArenaBattleRecord, createArenaBattleRepository } from "../store/arena-battle-repository.js";
import { ConflictError } from "./conflict-error.js";

/** A vote as the API takes it. */
export const arenaVotes = ["a", "b", "tie", "both_bad"] as const;
export type ArenaVote = (typeof arenaVotes)[number];

const winnerOfVote: Record<ArenaVote, BattleWinner> = { a: "model_a", b: "model_b", tie: "tie", both_bad: "tie (bothbad)" };

export type ArenaServiceOptions = {
  database: DatabaseExecutor;
  /** Clock in epoch ms. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  /** Battle id generator. Defaults to `arena_` + 12 random bytes. */
  newId?: (() => string) | undefined;
  /** Uniform random number in [0, 1) for drawing models. Defaults to `Math.random`. */
  random?: (() => number) | undefined;
};

/** Categories are stored comma-joined in one column. */
const categoriesOf = (category: string | undefined): string[] | undefined => (category ? category.split(",").filter((entry) => entry !== "") : undefined);

/** A stored (voted) battle as a FastChat battle record, rated in vote order. */
export function toBattle(record: ArenaBattleRecord): Battle {
  const categories = categoriesOf(record.category);
  return {
    model_a: record.modelA,
    model_b: record.modelB,
    winner: record.winner!,
    tstamp: (record.votedAt ?? record.createdAt) / 1000,
    anony: true,
    ...(categories ? { categories } : {}),
  };
}

/** Human-preference battles: drawing pairs, one vote per battle by the key that opened it, ratings, import/export. */
export type ArenaService = ReturnType<typeof createArenaService>;

export function createArenaService(options: ArenaServiceOptions) {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? (() => `arena_${randomBytes(12).toString("base64url")}`);
  const battles = createArenaBattleRepository(options.database);

  const requireBattle = async (id: string): Promise<ArenaBattleRecord> => {
    const battle = await battles.get(id);
    if (!battle) throw new NotFoundError({ message: `no arena battle ${id}`, param: "id", code: "battle_not_found" });
    return battle;
  };

  return {
    /** Draws two different models among the candidates (fewer-battled pairs favoured) and stores the battle, unanswered. */
    async openBattle(input: { prompt: string; candidates: readonly string[]; category?: string | undefined; keyId: string | undefined; sampling?: BattleSampling | undefined }): Promise<ArenaBattleRecord> {
      if (input.category?.includes(",")) throw new InvalidRequestError({ message: "category must not contain commas", param: "category" });
      const [modelA, modelB] = drawBattlePair(input.candidates, await battles.pairCounts(), { sampling: input.sampling, random: options.random });
      const id = newId();
      await battles.insert({ id, prompt: input.prompt, modelA, modelB, answerA: undefined, answerB: undefined, category: input.category, keyId: input.keyId, createdAt: now() });
      return requireBattle(id);
    },

    recordAnswers: (id: string, answers: { answerA: string; answerB: string }) => battles.recordAnswers(id, answers),

    getBattle: requireBattle,

    /**
     * Records the vote of the key that opened the battle (403 for another key), once (409 when already voted or before
     * both answers were produced). Returns the battle with its models revealed.
     */
    async vote(id: string, vote: ArenaVote, keyId: string | undefined): Promise<ArenaBattleRecord> {
      const battle = await requireBattle(id);
      if (battle.keyId !== keyId) throw new PermissionDeniedError({ message: `battle ${id} was opened by another API key; only that key may vote`, code: "not_battle_owner" });
      if (battle.winner !== undefined) throw new ConflictError({ message: `battle ${id} was already voted (${battle.winner})`, code: "already_voted" });
      if (battle.answerA === undefined || battle.answerB === undefined) throw new ConflictError({ message: `battle ${id} has no answers yet; vote after both answers`, code: "battle_incomplete" });
      if (!(await battles.recordVote(id, winnerOfVote[vote], now()))) throw new ConflictError({ message: `battle ${id} was already voted`, code: "already_voted" });
      return requireBattle(id);
    },

    /** Bradley–Terry with bootstrap intervals and ranks, online Elo beside it, over the voted battles (of one category). */
    async leaderboard(query: { category?: string | undefined; rounds?: number | undefined; seed?: number | undefined } = {}): Promise<Leaderboard> {
      const voted = await battles.list({ votedOnly: true });
      return computeLeaderboard(voted.map(toBattle), { category: query.category, bradleyTerry: { rounds: query.rounds, seed: query.seed } });
    },

    /**
     * Imports a battle log (FastChat `clean_battle` JSON array or JSON lines). Only anonymous battles are rated, so
     * named ones (`anony: false`) are skipped; battles keep their `tstamp` order. Idempotent: each battle's identity
     * comes from the log (its models, winner, categories, `tstamp` and its occurrence among identical records), so
     * battles imported before are not added again (`duplicates`).
     */
    async importBattles(text: string, source = "battles.json"): Promise<{ imported: number; skipped: number; duplicates: number }> {
      const parsed = parseBattleLog(text, source);
      const batch = newId();
      let imported = 0;
      let duplicates = 0;
      const base = now();
      const nextOccurrence = occurrenceCounter();
      await options.database.db.transaction().execute(async (transaction) => {
        const inTransaction = createArenaBattleRepository({ db: transaction });
        for (const [index, battle] of parsed.entries()) {
          if (battle.anony === false) continue;
          if (battle.categories?.some((category) => category.includes(","))) {
            throw new InvalidRequestError({ message: `${source}: battle ${index}: categories must not contain commas`, param: "categories" });
          }
          const tstampMs = battle.tstamp === undefined ? undefined : Math.round(battle.tstamp * 1000);
          const at = tstampMs ?? base + index;
          const content = { modelA: battle.model_a, modelB: battle.model_b, winner: battle.winner, category: battle.categories?.join(","), tstampMs };
          const importKey = arenaBattleImportKey(content, nextOccurrence(importedBattleContent(content)));
          const inserted = await inTransaction.insertImported({
            importKey,
            id: `${batch}_${String(index).padStart(8, "0")}`,
            prompt: "",
            modelA: battle.model_a,
            modelB: battle.model_b,
            answerA: undefined,
            answerB: undefined,
            winner: battle.winner,
            category: battle.categories?.join(","),
            keyId: undefined,
            createdAt: at,
            votedAt: at,
          });
          if (inserted) imported += 1;
          else duplicates += 1;
        }
      });
      return { imported, skipped: parsed.length - imported - duplicates, duplicates };
    },

    /** Every voted battle as a FastChat battle record, in vote order. */
    async exportBattles(): Promise<Battle[]> {
      const voted = await battles.list({ votedOnly: true });
      return voted.map(toBattle).sort((x, y) => x.tstamp! - y.tstamp!);
    },
  };
}
