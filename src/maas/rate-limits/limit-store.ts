import type { WindowDecision } from "./sliding-window.js";

/** The two sliding windows of a key. */
export type WindowKind = "requests" | "tokens";

/** A window operation at epoch ms `now` over the window `(now - windowMs, now]`. */
export type WindowOperation = { now: number; windowMs: number; limit: number; amount: number };

/** Where a lease decision stands. */
export type LeaseDecision = { admitted: true } | { admitted: false; held: number };

/**
 * Where a RateLimiter keeps its counts: process memory, or a store every instance shares (PostgreSQL, Redis). Each
 * operation is atomic in the store, so concurrent instances never both take the last unit of a limit.
 */
export interface LimitStore {
  /** Where the counts live, for error messages (`Redis at redis://host:6379`). */
  readonly description: string;
  /** Whether a slot is a lease that lapses unless renewed (stores shared with other processes). */
  readonly leasesLapse: boolean;
  /** Drops the entries that left the window, then records `amount` at `now` (as `entryId`) if it fits `limit`. */
  take(keyId: string, kind: WindowKind, operation: WindowOperation, entryId: string): Promise<WindowDecision>;
  /** Whether `amount` more fits `limit` now; records nothing. */
  peek(keyId: string, kind: WindowKind, operation: WindowOperation): Promise<WindowDecision>;
  /** Records `amount` at `now` without a check. */
  add(keyId: string, kind: WindowKind, operation: Omit<WindowOperation, "limit">, entryId: string): Promise<void>;
  /** Drops the key's lapsed leases (`expiresAt <= now`), then takes a lease if fewer than `limit` are held. */
  acquireLease(keyId: string, lease: { now: number; limit: number; leaseId: string; expiresAt: number }): Promise<LeaseDecision>;
  /** Moves the end of the leases still held to `expiresAt`. */
  renewLeases(leases: readonly { keyId: string; leaseId: string }[], expiresAt: number): Promise<void>;
  releaseLease(keyId: string, leaseId: string): Promise<void>;
  /** Why the store failed, in a sentence for the 503 (`Redis at … is unreachable: connect ECONNREFUSED …`). */
  describeFailure(error: unknown): string;
  /** Closes the store's own connections (never a database it was given). */
  dispose(): Promise<void>;
}
