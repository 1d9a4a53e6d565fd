import type { LimitStore, WindowKind } from "./limit-store.js";
import { decideWindow, type WindowEntry } from "./sliding-window.js";

/** Counts in this process's memory: right for one instance (embedded SQLite), wrong for several. */
export function createMemoryLimitStore(): LimitStore {
  const windows = new Map<string, WindowEntry[]>();
  const leases = new Map<string, Map<string, number>>();

  /** The entries of a window still inside it at `now` (older ones are dropped). */
  function live(keyId: string, kind: WindowKind, now: number, windowMs: number): { name: string; entries: WindowEntry[] } {
    const name = `${kind}:${keyId}`;
    const entries = windows.get(name) ?? [];
    let expired = 0;
    while (expired < entries.length && (entries[expired]?.at ?? 0) <= now - windowMs) expired++;
    if (expired > 0) entries.splice(0, expired);
    if (entries.length === 0) windows.delete(name);
    return { name, entries };
  }

  function append(name: string, entry: WindowEntry): void {
    const entries = windows.get(name);
    if (entries) entries.push(entry);
    else windows.set(name, [entry]);
  }

  return {
    description: "this process's memory",
    leasesLapse: false,

    async take(keyId, kind, { now, windowMs, limit, amount }) {
      const { name, entries } = live(keyId, kind, now, windowMs);
      const decision = decideWindow(entries, limit, amount);
      if (decision.admitted) append(name, { at: now, amount });
      return decision;
    },

    async peek(keyId, kind, { now, windowMs, limit, amount }) {
      return decideWindow(live(keyId, kind, now, windowMs).entries, limit, amount);
    },

    async add(keyId, kind, { now, windowMs, amount }) {
      append(live(keyId, kind, now, windowMs).name, { at: now, amount });
    },

    async acquireLease(keyId, { now, limit, leaseId, expiresAt }) {
      const held = leases.get(keyId) ?? new Map<string, number>();
      for (const [id, end] of held) if (end <= now) held.delete(id);
      if (held.size >= limit) return { admitted: false, held: held.size };
      held.set(leaseId, expiresAt);
      leases.set(keyId, held);
      return { admitted: true };
    },

    async renewLeases(renewed, expiresAt) {
      for (const { keyId, leaseId } of renewed) {
        const held = leases.get(keyId);
        if (held?.has(leaseId)) held.set(leaseId, expiresAt);
      }
    },

    async releaseLease(keyId, leaseId) {
      const held = leases.get(keyId);
      held?.delete(leaseId);
      if (held?.size === 0) leases.delete(keyId);
    },

    describeFailure(error) {
      return error instanceof Error ? error.message : String(error);
    },

    async dispose() {
      windows.clear();
      leases.clear();
    },
  };
}
