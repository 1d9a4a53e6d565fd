import { RateLimitError } from "../spec/index.js";
import { type RateLimiter, rateLimitWindowMs } from "./rate-limiter.js";
import type { KeyPrincipal } from "./types.js";

export type InMemoryRateLimiterOptions = {
  /** Clock used when a call passes no `now`. Defaults to `Date.now`. */
  now?: () => number;
};

type WindowEntry = { at: number; amount: number };

/** A sliding-window RateLimiter for one process (a shared one is needed once several servers share keys). */
export function createInMemoryRateLimiter(options: InMemoryRateLimiterOptions = {}): RateLimiter {
  const clock = options.now ?? Date.now;
  const requests = new Map<string, WindowEntry[]>();
  const tokens = new Map<string, WindowEntry[]>();

  /** Entries of a key still inside the window ending at `now` (older ones are dropped). */
  function live(windows: Map<string, WindowEntry[]>, keyId: string, now: number): WindowEntry[] {
    const entries = windows.get(keyId) ?? [];
    let expired = 0;
    while (expired < entries.length && (entries[expired]?.at ?? 0) <= now - rateLimitWindowMs) expired++;
    if (expired > 0) entries.splice(0, expired);
    if (entries.length === 0) windows.delete(keyId);
    return entries;
  }

  function append(windows: Map<string, WindowEntry[]>, keyId: string, entry: WindowEntry): void {
    const entries = windows.get(keyId);
    if (entries) entries.push(entry);
    else windows.set(keyId, [entry]);
  }

  return {
    async checkRequest(principal, now = clock()) {
      const limit = principal.rpm;
      if (limit === undefined) return;
      const entries = live(requests, principal.id, now);
      if (entries.length >= limit) {
        // The request fits once the entry at index (count - limit) leaves the window.
        const freeing = entries[entries.length - limit]?.at ?? now;
        throw new RateLimitError({
          message: `Rate limit reached for key ${principal.prefix}… on requests per minute: limit ${limit}, used ${entries.length}.`,
          limit: "requests-per-minute",
          retryAfterSeconds: (freeing + rateLimitWindowMs - now) / 1000,
        });
      }
      append(requests, principal.id, { at: now, amount: 1 });
    },

    async checkTokens(principal, estimatedTokens, now = clock()) {
      const limit = principal.tpm;
      if (limit === undefined) return;
      if (estimatedTokens > limit) {
        throw new RateLimitError({
          message: `Request too large for key ${principal.prefix}… on tokens per minute: limit ${limit}, requested ${estimatedTokens}.`,
          limit: "tokens-per-minute",
          retryAfterSeconds: rateLimitWindowMs / 1000,
        });
      }
      const entries = live(tokens, principal.id, now);
      let used = entries.reduce((sum, entry) => sum + entry.amount, 0);
      if (used + estimatedTokens <= limit) return;
      const usedBefore = used;
      let freeing = now;
      for (const entry of entries) {
        used -= entry.amount;
        freeing = entry.at;
        if (used + estimatedTokens <= limit) break;
      }
      throw new RateLimitError({
        message: `Rate limit reached for key ${principal.prefix}… on tokens per minute: limit ${limit}, used ${usedBefore}, requested ${estimatedTokens}.`,
        limit: "tokens-per-minute",
        retryAfterSeconds: (freeing + rateLimitWindowMs - now) / 1000,
      });
    },

    async recordTokens(principal, tokenCount, now = clock()) {
      if (principal.tpm === undefined || !(tokenCount > 0)) return;
      live(tokens, principal.id, now);
      append(tokens, principal.id, { at: now, amount: tokenCount });
    },
  };
}
