/** One counted amount (a request, or tokens) at epoch ms `at`. */
export type WindowEntry = { at: number; amount: number };

/** Whether an amount fits a window; when not, how much it holds and when enough of it leaves. */
export type WindowDecision =
  | { admitted: true }
  | {
      admitted: false;
      /** Sum of the amounts inside the window. */
      used: number;
      /** `at` of the entry whose departure (at `freesAt + windowMs`) makes room. */
      freesAt: number;
    };

/**
 * Decides whether `amount` more fits `limit` over `entries` (those inside the window, oldest first). When it does not,
 * finds the oldest entry whose departure leaves room: the caller's retry-after ends one window after its `at`. The
 * caller refuses an `amount` above `limit` on its own (no departure ever makes room for it).
 */
export function decideWindow(entries: readonly WindowEntry[], limit: number, amount: number): WindowDecision {
  const used = entries.reduce((sum, entry) => sum + entry.amount, 0);
  if (used + amount <= limit) return { admitted: true };
  let remaining = used;
  let freesAt = entries[0]?.at ?? 0;
  for (const entry of entries) {
    remaining -= entry.amount;
    freesAt = entry.at;
    if (remaining + amount <= limit) break;
  }
  return { admitted: false, used, freesAt };
}
