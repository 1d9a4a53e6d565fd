import { type Kysely, sql } from "kysely";
import { arenaBattleImportKey, importedBattleContent, occurrenceCounter } from "../repositories/arena-battle-import-key.js";

type ImportedRow = { id: string; model_a: string; model_b: string; winner: string; category: string | null; created_at: number | string };

/** Ids of battles imported before this migration: `<batch>_<index, 8 digits>`, one batch per import. */
const importedId = /^(.+)_(\d{8})$/;
const deleteChunk = 500;

/**
 * Idempotent arena imports: `arena_battles.import_key` (unique) identifies a battle imported from a log (see
 * `arenaBattleImportKey`). Earlier imports gave every battle a fresh id, so importing a log twice doubled its battles:
 * here each imported battle gets its key (computed from its stored fields and its occurrence within its import), and of
 * battles with the same key only those of one import are kept. Battles fought here keep a null key.
 * Portable DDL: a nullable column and a unique index (NULLs never collide on SQLite or PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("arena_battles").addColumn("import_key", "text").execute();
  // Imported battles: no prompt, no answers, no key, already voted.
  const rows = await sql<ImportedRow>`
    select id, model_a, model_b, winner, category, created_at from arena_battles
    where prompt = '' and key_id is null and answer_a is null and answer_b is null and winner is not null
    order by id`.execute(db);
  const batches = new Map<string, ImportedRow[]>();
  for (const row of rows.rows) {
    const batch = importedId.exec(row.id)?.[1];
    if (batch === undefined) continue;
    const members = batches.get(batch) ?? [];
    members.push(row);
    batches.set(batch, members);
  }
  const kept = new Set<string>();
  const duplicates: string[] = [];
  for (const members of batches.values()) {
    const nextOccurrence = occurrenceCounter();
    for (const row of members) {
      const content = { modelA: row.model_a, modelB: row.model_b, winner: row.winner, category: row.category ?? undefined, tstampMs: Number(row.created_at) };
      const key = arenaBattleImportKey(content, nextOccurrence(importedBattleContent(content)));
      if (kept.has(key)) {
        duplicates.push(row.id);
        continue;
      }
      kept.add(key);
      await sql`update arena_battles set import_key = ${key} where id = ${row.id}`.execute(db);
    }
  }
  for (let start = 0; start < duplicates.length; start += deleteChunk) {
    const chunk = duplicates.slice(start, start + deleteChunk);
    await sql`delete from arena_battles where id in (${sql.join(chunk)})`.execute(db);
  }
  await db.schema.createIndex("arena_battles_import_key").on("arena_battles").column("import_key").unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("arena_battles_import_key").execute();
  await db.schema.alterTable("arena_battles").dropColumn("import_key").execute();
}
