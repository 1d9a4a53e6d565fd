import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createArenaService } from "../../src/eval/index.js";
import { openDatabase } from "../../src/store/index.js";
import { migrationProvider } from "../../src/store/migrations/index.js";
import { startTestPostgres } from "../support/postgres.js";

/** A database file/URL of one dialect, migrated only up to `0006` (before idempotent arena imports). */
type LegacyDatabase = { url: string; db: Kysely<unknown>; close(): Promise<void> };

const legacyDatabases: Record<"sqlite" | "postgres", () => Promise<LegacyDatabase>> = {
  async sqlite() {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-migration-"));
    const file = path.join(folder, "aiplus.db");
    return {
      url: `sqlite:${file}`,
      db: new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) }),
      async close() {
        fs.rmSync(folder, { recursive: true, force: true });
      },
    };
  },
  async postgres() {
    const server = await startTestPostgres();
    return { url: server.url, db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: server.url }) }) }), close: () => server.stop() };
  },
};

const battles = [
  { model_a: "alpha", model_b: "bravo", winner: "model_a", tstamp: 1700000000.25, anony: true },
  { model_a: "bravo", model_b: "charlie", winner: "tie", tstamp: 1700000001.5, anony: true },
  // The same record twice in one log: two battles.
  { model_a: "bravo", model_b: "charlie", winner: "tie", tstamp: 1700000001.5, anony: true },
];

/** Rows as imports before migration 0007 wrote them: `<batch>_<index>`, no prompt, no key, voted at the tstamp. */
async function legacyImport(db: Kysely<unknown>, batch: string): Promise<void> {
  for (const [index, battle] of battles.entries()) {
    const at = Math.round(battle.tstamp * 1000);
    await sql`insert into arena_battles (id, prompt, model_a, model_b, answer_a, answer_b, winner, category, key_id, created_at, voted_at)
      values (${`${batch}_${String(index).padStart(8, "0")}`}, '', ${battle.model_a}, ${battle.model_b}, null, null, ${battle.winner}, null, null, ${at}, ${at})`.execute(db);
  }
}

describe.each(["sqlite", "postgres"] as const)("migration 0007 on %s: arena imports become idempotent", (dialect) => {
  it("removes the battles a repeated import doubled, keys the rest, and a later import of the log adds nothing", async () => {
    const legacy = await legacyDatabases[dialect]();
    try {
      const migrator = new Migrator({ db: legacy.db, provider: migrationProvider });
      const { error } = await migrator.migrateTo("0006-knowledge-identity");
      expect(error).toBeUndefined();
      await legacyImport(legacy.db, "arena_firstImport");
      await legacyImport(legacy.db, "arena_secondImport");
      // A battle fought here with the same models and time is not an import: it stays.
      await sql`insert into arena_battles (id, prompt, model_a, model_b, answer_a, answer_b, winner, category, key_id, created_at, voted_at)
        values ('arena_live', 'Hi', 'alpha', 'bravo', 'a', 'b', 'model_a', null, null, 1700000000250, 1700000000300)`.execute(legacy.db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      await legacy.db.destroy();

      const database = await openDatabase(legacy.url);
      try {
        const rows = await database.db.selectFrom("arena_battles").select(["id", "import_key"]).orderBy("id").execute();
        expect(rows.map((row) => row.id)).toEqual(["arena_firstImport_00000000", "arena_firstImport_00000001", "arena_firstImport_00000002", "arena_live"]);
        expect(new Set(rows.slice(0, 3).map((row) => row.import_key)).size).toBe(3);
        expect(rows[3]!.import_key).toBeNull();

        const arena = createArenaService({ database });
        expect(await arena.importBattles(JSON.stringify(battles))).toEqual({ imported: 0, skipped: 0, duplicates: 3 });
        expect(await arena.importBattles(JSON.stringify([...battles, battles[2]]))).toEqual({ imported: 1, skipped: 0, duplicates: 3 });
        expect((await arena.leaderboard({ rounds: 5 })).battles).toBe(5);
      } finally {
        await database.dispose();
      }
    } finally {
      await legacy.close();
    }
  }, 120_000);
});
