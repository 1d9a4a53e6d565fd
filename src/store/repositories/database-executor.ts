import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../schema.js";

/**
 * What a repository queries through: a `Database`, or `{ db: transaction }` inside
 * `database.db.transaction().execute(...)` so several repositories write atomically.
 */
export type DatabaseExecutor = { readonly db: Kysely<DatabaseSchema> };

/** Affected-row count of an UPDATE/DELETE result, the same on SQLite and PostgreSQL. */
export function affectedRows(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number {
  return Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}

/** Whether an error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
