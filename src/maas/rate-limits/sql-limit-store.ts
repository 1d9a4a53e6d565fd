import { createRateLimitRepository, type Database } from "../../store/index.js";
import type { LimitStore } from "./limit-store.js";
import { decideWindow } from "./sliding-window.js";

/**
 * Counts in the database (migration 0025), shared by every instance on it: what several instances on one PostgreSQL
 * use without Redis. Each counting step is one transaction serialised per key (see `createRateLimitRepository`).
 */
export function createSqlLimitStore(database: Database): LimitStore {
  const counts = createRateLimitRepository(database);
  const engine = database.dialect === "postgres" ? "PostgreSQL" : "SQLite";
  return {
    description: `the ${engine} database`,
    leasesLapse: true,

    async take(keyId, counter, { now, windowMs, limit, amount }, entryId) {
      const result = await counts.take({ keyId, counter, windowStart: now - windowMs, now, limit, amount, entryId });
      return result.admitted ? result : decideWindow(result.entries, limit, amount);
    },

    async peek(keyId, counter, { now, windowMs, limit, amount }) {
      const window = { keyId, counter, windowStart: now - windowMs };
      if ((await counts.used(window)) + amount <= limit) return { admitted: true };
      return decideWindow(await counts.entries(window), limit, amount);
    },

    async add(keyId, counter, { now, windowMs, amount }, entryId) {
      await counts.add({ keyId, counter, windowStart: now - windowMs, now, amount, entryId });
    },

    async acquireLease(keyId, { now, limit, leaseId, expiresAt }) {
      return counts.acquireSlot({ keyId, slotId: leaseId, now, limit, expiresAt });
    },

    async renewLeases(leases, expiresAt) {
      await counts.renewSlots(
        leases.map((lease) => lease.leaseId),
        expiresAt,
      );
    },

    async releaseLease(_keyId, leaseId) {
      await counts.releaseSlot(leaseId);
    },

    describeFailure(error) {
      return `the ${engine} database failed: ${error instanceof Error ? error.message : String(error)}`;
    },

    // The database belongs to the platform.
    async dispose() {},
  };
}
