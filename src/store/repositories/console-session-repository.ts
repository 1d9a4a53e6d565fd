import type { ConsoleSessionsTable } from "../schema.js";
import type { DatabaseExecutor } from "./database-executor.js";

/** A web console session; `id` is the SHA-256 hex of the cookie's token. */
export type ConsoleSessionRecord = {
  id: string;
  keyId: string;
  createdAt: number;
  expiresAt: number;
};

/** Web console sessions (`console_sessions`). */
export type ConsoleSessionRepository = ReturnType<typeof createConsoleSessionRepository>;

export function createConsoleSessionRepository(database: DatabaseExecutor) {
  return {
    async insert(session: ConsoleSessionRecord): Promise<void> {
      const row: ConsoleSessionsTable = { id: session.id, key_id: session.keyId, created_at: session.createdAt, expires_at: session.expiresAt };
      await database.db.insertInto("console_sessions").values(row).execute();
    },

    async get(id: string): Promise<ConsoleSessionRecord | undefined> {
      const row = await database.db.selectFrom("console_sessions").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? { id: row.id, keyId: row.key_id, createdAt: row.created_at, expiresAt: row.expires_at } : undefined;
    },

    /** Moves a session's end (tests, future "extend"). */
    async setExpiresAt(id: string, expiresAt: number): Promise<void> {
      await database.db.updateTable("console_sessions").set({ expires_at: expiresAt }).where("id", "=", id).execute();
    },

    async delete(id: string): Promise<void> {
      await database.db.deleteFrom("console_sessions").where("id", "=", id).execute();
    },

    /** Ends every session of a key (revoked, expired). */
    async deleteForKey(keyId: string): Promise<void> {
      await database.db.deleteFrom("console_sessions").where("key_id", "=", keyId).execute();
    },

    /** Removes sessions that ended at or before `at`. */
    async deleteExpired(at: number): Promise<void> {
      await database.db.deleteFrom("console_sessions").where("expires_at", "<=", at).execute();
    },
  };
}
