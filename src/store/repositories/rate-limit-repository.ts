import type { Transaction } from "kysely";
import { z } from "zod";
import type { DatabaseSchema } from "../schema.js";
import type { DatabaseExecutor } from "./database-executor.js";

/** A key's sliding windows. */
export type RateLimitCounter = "requests" | "tokens";

/** One entry of a sliding window. */
export type RateLimitEntry = { at: number; amount: number };

/** A window's entries after `windowStart` (exclusive), for a key and counter. */
export type RateLimitWindow = { keyId: string; counter: RateLimitCounter; windowStart: number };

const sumSchema = z.union([z.number(), z.string(), z.bigint(), z.null()]).transform((value) => Number(value ?? 0));

/**
 * Rate-limit counts shared by every instance on one database (`rate_limit_*`, `concurrency_slots`). Each change that
 * depends on a count runs in one transaction that first upserts the key's lock row (`rate_limit_locks`): PostgreSQL
 * holds that row's lock until the commit and SQLite the write lock, so concurrent instances counting the same key take
 * turns and never both take the last unit.
 */
export type RateLimitRepository = ReturnType<typeof createRateLimitRepository>;

export function createRateLimitRepository(database: DatabaseExecutor) {
  /** Takes the key's lock row for this transaction. */
  async function lock(transaction: Transaction<DatabaseSchema>, keyId: string, counter: string, now: number): Promise<void> {
    await transaction
      .insertInto("rate_limit_locks")
      .values({ key_id: keyId, counter, touched_at: now })
      .onConflict((conflict) => conflict.columns(["key_id", "counter"]).doUpdateSet({ touched_at: now }))
      .execute();
  }

  async function used(executor: DatabaseExecutor["db"], window: RateLimitWindow): Promise<number> {
    const row = await executor
      .selectFrom("rate_limit_entries")
      .select((select) => select.fn.sum<number | string | null>("amount").as("used"))
      .where("key_id", "=", window.keyId)
      .where("counter", "=", window.counter)
      .where("at", ">", window.windowStart)
      .executeTakeFirst();
    return sumSchema.parse(row?.used ?? null);
  }

  async function entries(executor: DatabaseExecutor["db"], window: RateLimitWindow): Promise<RateLimitEntry[]> {
    const rows = await executor
      .selectFrom("rate_limit_entries")
      .select(["at", "amount"])
      .where("key_id", "=", window.keyId)
      .where("counter", "=", window.counter)
      .where("at", ">", window.windowStart)
      .orderBy("at")
      .execute();
    return rows.map((row) => ({ at: Number(row.at), amount: Number(row.amount) }));
  }

  return {
    /**
     * Atomically: drops the window's expired entries, then records `amount` at `now` when the window's sum plus
     * `amount` stays within `limit`. A refusal returns the window's entries (oldest first).
     */
    async take(
      window: RateLimitWindow & { now: number; limit: number; amount: number; entryId: string },
    ): Promise<{ admitted: true } | { admitted: false; entries: RateLimitEntry[] }> {
      return database.db.transaction().execute(async (transaction) => {
        await lock(transaction, window.keyId, window.counter, window.now);
        await transaction
          .deleteFrom("rate_limit_entries")
          .where("key_id", "=", window.keyId)
          .where("counter", "=", window.counter)
          .where("at", "<=", window.windowStart)
          .execute();
        if ((await used(transaction, window)) + window.amount > window.limit) return { admitted: false, entries: await entries(transaction, window) };
        await transaction
          .insertInto("rate_limit_entries")
          .values({ id: window.entryId, key_id: window.keyId, counter: window.counter, at: window.now, amount: window.amount })
          .execute();
        return { admitted: true };
      });
    },

    /** The window's sum (one aggregate query). */
    async used(window: RateLimitWindow): Promise<number> {
      return used(database.db, window);
    },

    /** The window's entries, oldest first. */
    async entries(window: RateLimitWindow): Promise<RateLimitEntry[]> {
      return entries(database.db, window);
    },

    /** Records `amount` at `now` without a check, and drops the window's expired entries. */
    async add(window: RateLimitWindow & { now: number; amount: number; entryId: string }): Promise<void> {
      await database.db
        .insertInto("rate_limit_entries")
        .values({ id: window.entryId, key_id: window.keyId, counter: window.counter, at: window.now, amount: window.amount })
        .execute();
      await database.db
        .deleteFrom("rate_limit_entries")
        .where("key_id", "=", window.keyId)
        .where("counter", "=", window.counter)
        .where("at", "<=", window.windowStart)
        .execute();
    },

    /** Atomically: drops the key's lapsed slots, then takes one when fewer than `limit` are held. */
    async acquireSlot(slot: { keyId: string; slotId: string; now: number; limit: number; expiresAt: number }): Promise<{ admitted: true } | { admitted: false; held: number }> {
      return database.db.transaction().execute(async (transaction) => {
        await lock(transaction, slot.keyId, "slots", slot.now);
        await transaction.deleteFrom("concurrency_slots").where("key_id", "=", slot.keyId).where("expires_at", "<=", slot.now).execute();
        const row = await transaction
          .selectFrom("concurrency_slots")
          .select((select) => select.fn.countAll<number | string>().as("held"))
          .where("key_id", "=", slot.keyId)
          .executeTakeFirst();
        const held = sumSchema.parse(row?.held ?? 0);
        if (held >= slot.limit) return { admitted: false, held };
        await transaction.insertInto("concurrency_slots").values({ id: slot.slotId, key_id: slot.keyId, expires_at: slot.expiresAt }).execute();
        return { admitted: true };
      });
    },

    /** Moves the end of these slots (those still held) to `expiresAt`. */
    async renewSlots(slotIds: readonly string[], expiresAt: number): Promise<void> {
      if (slotIds.length === 0) return;
      await database.db.updateTable("concurrency_slots").set({ expires_at: expiresAt }).where("id", "in", slotIds).execute();
    },

    async releaseSlot(slotId: string): Promise<void> {
      await database.db.deleteFrom("concurrency_slots").where("id", "=", slotId).execute();
    },
  };
}
