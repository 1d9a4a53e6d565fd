import { createHash } from "node:crypto";

/** What identifies a battle of an imported log: the fields that are stored and rated. */
export type ImportedBattleContent = {
  modelA: string;
  modelB: string;
  winner: string;
  /** Comma-joined category tags, if any. */
  category: string | undefined;
  /** The log's `tstamp` in ms (rounded), when the record has one. */
  tstampMs: number | undefined;
};

/** The content part of the identity (battles with equal content are told apart by their occurrence). */
export function importedBattleContent(battle: ImportedBattleContent): string {
  return JSON.stringify([battle.tstampMs ?? null, battle.modelA, battle.modelB, battle.winner, battle.category ?? null]);
}

/**
 * Identity of a battle imported from a log (`arena_battles.import_key`, unique): sha256 of its content and of its
 * occurrence among the battles of the same content in that log (0 for the first). The same log imported again yields
 * the same keys, so a re-import adds nothing; two logs that share battles add them once. Migration 0007 computes the
 * keys of battles imported before it with this same function.
 */
export function arenaBattleImportKey(battle: ImportedBattleContent, occurrence: number): string {
  return createHash("sha256").update(`${importedBattleContent(battle)}#${occurrence}`).digest("hex");
}

/** Counts occurrences of equal content while walking a log: `next(content)` is 0 for the first, then 1, 2, … */
export function occurrenceCounter(): (content: string) => number {
  const seen = new Map<string, number>();
  return (content) => {
    const occurrence = seen.get(content) ?? 0;
    seen.set(content, occurrence + 1);
    return occurrence;
  };
}
