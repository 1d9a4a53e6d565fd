import { z } from "zod";
import { affectedRows, type ArenaBattlesTable, type DatabaseExecutor } from "../../store/index.js";
import { battleWinners, type BattleWinner } from "../arena/battle-log.js";

/** An arena battle: two anonymous answers to one prompt and, once voted, the winner. */
export type ArenaBattleRecord = {
  id: string;
  prompt: string;
  modelA: string;
  modelB: string;
  answerA: string | undefined;
  answerB: string | undefined;
  winner: BattleWinner | undefined;
  category: string | undefined;
  keyId: string | undefined;
  createdAt: number;
  votedAt: number | undefined;
};

export type NewArenaBattle = Omit<ArenaBattleRecord, "winner" | "votedAt"> & { winner?: BattleWinner | undefined; votedAt?: number | undefined };

const winnerSchema = z.enum(battleWinners as unknown as [BattleWinner, ...BattleWinner[]]);

/** Arena battles and votes (`arena_battles`). */
export type ArenaBattleRepository = ReturnType<typeof createArenaBattleRepository>;

export function createArenaBattleRepository(database: DatabaseExecutor) {
  return {
    async insert(battle: NewArenaBattle): Promise<void> {
      await database.db
        .insertInto("arena_battles")
        .values({
          id: battle.id,
          prompt: battle.prompt,
          model_a: battle.modelA,
          model_b: battle.modelB,
          answer_a: battle.answerA ?? null,
          answer_b: battle.answerB ?? null,
          winner: battle.winner ?? null,
          category: battle.category ?? null,
          key_id: battle.keyId ?? null,
          created_at: battle.createdAt,
          voted_at: battle.votedAt ?? null,
          import_key: null,
        })
        .execute();
    },

    /**
     * Stores a battle imported from a log under its identity (`import_key`, unique); false, and nothing stored, when a
     * battle with that identity was imported before.
     */
    async insertImported(battle: NewArenaBattle & { importKey: string }): Promise<boolean> {
      const result = await database.db
        .insertInto("arena_battles")
        .values({
          id: battle.id,
          prompt: battle.prompt,
          model_a: battle.modelA,
          model_b: battle.modelB,
          answer_a: battle.answerA ?? null,
          answer_b: battle.answerB ?? null,
          winner: battle.winner ?? null,
          category: battle.category ?? null,
          key_id: battle.keyId ?? null,
          created_at: battle.createdAt,
          voted_at: battle.votedAt ?? null,
          import_key: battle.importKey,
        })
        .onConflict((conflict) => conflict.column("import_key").doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    /** Stores the answers once both are produced. */
    async recordAnswers(id: string, answers: { answerA: string; answerB: string }): Promise<boolean> {
      const result = await database.db
        .updateTable("arena_battles")
        .set({ answer_a: answers.answerA, answer_b: answers.answerB })
        .where("id", "=", id)
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },

    /** Records the vote once: false when the battle is unknown or was voted already. */
    async recordVote(id: string, winner: BattleWinner, at: number): Promise<boolean> {
      const result = await database.db
        .updateTable("arena_battles")
        .set({ winner, voted_at: at })
        .where("id", "=", id)
        .where("winner", "is", null)
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },

    async get(id: string): Promise<ArenaBattleRecord | undefined> {
      const row = await database.db.selectFrom("arena_battles").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toArenaBattleRecord(row) : undefined;
    },

    /** Battles in creation order; `votedOnly` keeps those with a winner (what the leaderboard rates). */
    async list(filter: { votedOnly?: boolean; category?: string | undefined } = {}): Promise<ArenaBattleRecord[]> {
      let query = database.db.selectFrom("arena_battles").selectAll();
      if (filter.votedOnly) query = query.where("winner", "is not", null);
      if (filter.category !== undefined) query = query.where("category", "=", filter.category);
      const rows = await query.orderBy("created_at").orderBy("id").execute();
      return rows.map(toArenaBattleRecord);
    },

    /** Battles per unordered model pair (for drawing fewer-battled pairs more often). */
    async pairCounts(): Promise<Map<string, number>> {
      const rows = await database.db
        .selectFrom("arena_battles")
        .select((eb) => ["model_a", "model_b", eb.fn.countAll().as("count")])
        .groupBy(["model_a", "model_b"])
        .execute();
      const counts = new Map<string, number>();
      for (const row of rows) {
        const key = [row.model_a, row.model_b].sort().join("\u0000");
        counts.set(key, (counts.get(key) ?? 0) + Number(row.count));
      }
      return counts;
    },
  };
}

function toArenaBattleRecord(row: ArenaBattlesTable): ArenaBattleRecord {
  return {
    id: row.id,
    prompt: row.prompt,
    modelA: row.model_a,
    modelB: row.model_b,
    answerA: row.answer_a ?? undefined,
    answerB: row.answer_b ?? undefined,
    winner: row.winner === null ? undefined : winnerSchema.parse(row.winner),
    category: row.category ?? undefined,
    keyId: row.key_id ?? undefined,
    createdAt: Number(row.created_at),
    votedAt: row.voted_at === null ? undefined : Number(row.voted_at),
  };
}
