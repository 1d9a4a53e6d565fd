import { randomUUID } from "node:crypto";
import { AiplusError, RateLimitError, ServiceUnavailableError } from "../../spec/index.js";
import type { LimitStore } from "./limit-store.js";
import { type ConcurrencySlot, defaultSlotLeaseMs, type RateLimiter, rateLimitWindowMs } from "./rate-limiter.js";

export type StoreRateLimiterOptions = {
  /** Clock used when a call passes no `now`. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  /** How long a slot lives without renewal in a shared store. Defaults to 30 s; renewed every third of it. */
  leaseMs?: number | undefined;
  /** Id generator of window entries and slots. Defaults to `crypto.randomUUID`. */
  generateId?: (() => string) | undefined;
  /** A renewal or release that failed (the slot lapses at its lease's end). Defaults to ignoring it. */
  onError?: ((error: unknown) => void) | undefined;
};

/** Seconds a client waits before retrying a refused concurrent request: a slot frees when any request ends. */
const concurrencyRetryAfterSeconds = 1;
/** Seconds a client waits before retrying when the store is unreachable. */
const unavailableRetryAfterSeconds = 5;

/** A RateLimiter whose counts live in `store` (memory, PostgreSQL or Redis): the same rules and errors on each. */
export function createStoreRateLimiter(store: LimitStore, options: StoreRateLimiterOptions = {}): RateLimiter {
  const clock = options.now ?? Date.now;
  const leaseMs = options.leaseMs ?? defaultSlotLeaseMs;
  const generateId = options.generateId ?? randomUUID;
  /** Slots this process holds, by lease id. */
  const held = new Map<string, { keyId: string }>();
  let renewalTimer: NodeJS.Timeout | undefined;

  /** Runs a store operation; a store failure becomes a 503 (a limited key is never served unlimited). */
  async function guarded<Result>(operation: () => Promise<Result>): Promise<Result> {
    try {
      return await operation();
    } catch (error) {
      if (AiplusError.isInstance(error)) throw error;
      throw new ServiceUnavailableError({
        message: `Rate limits cannot be checked: ${store.describeFailure(error)}. The request is refused rather than served without its key's limits; retry shortly.`,
        code: "rate_limiter_unavailable",
        retryAfterSeconds: unavailableRetryAfterSeconds,
        cause: error,
      });
    }
  }

  async function renewSlots(now = clock()): Promise<void> {
    if (held.size === 0) return;
    const leases = [...held].map(([leaseId, { keyId }]) => ({ keyId, leaseId }));
    await store.renewLeases(leases, now + leaseMs);
  }

  function startRenewals(): void {
    if (renewalTimer || !store.leasesLapse) return;
    renewalTimer = setInterval(() => {
      renewSlots().catch((error: unknown) => options.onError?.(error));
    }, Math.max(1, Math.floor(leaseMs / 3)));
    renewalTimer.unref();
  }

  function stopRenewalsWhenIdle(): void {
    if (held.size > 0 || !renewalTimer) return;
    clearInterval(renewalTimer);
    renewalTimer = undefined;
  }

  return {
    async checkRequest(principal, now = clock()) {
      const limit = principal.rpm;
      if (limit === undefined) return;
      const decision = await guarded(() => store.take(principal.id, "requests", { now, windowMs: rateLimitWindowMs, limit, amount: 1 }, generateId()));
      if (decision.admitted) return;
      throw new RateLimitError({
        message: `Rate limit reached for key ${principal.prefix}… on requests per minute: limit ${limit}, used ${decision.used}.`,
        limit: "requests-per-minute",
        retryAfterSeconds: (decision.freesAt + rateLimitWindowMs - now) / 1000,
      });
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
      const decision = await guarded(() => store.peek(principal.id, "tokens", { now, windowMs: rateLimitWindowMs, limit, amount: estimatedTokens }));
      if (decision.admitted) return;
      throw new RateLimitError({
        message: `Rate limit reached for key ${principal.prefix}… on tokens per minute: limit ${limit}, used ${decision.used}, requested ${estimatedTokens}.`,
        limit: "tokens-per-minute",
        retryAfterSeconds: (decision.freesAt + rateLimitWindowMs - now) / 1000,
      });
    },

    async recordTokens(principal, tokens, now = clock()) {
      if (principal.tpm === undefined || !(tokens > 0)) return;
      await guarded(() => store.add(principal.id, "tokens", { now, windowMs: rateLimitWindowMs, amount: Math.ceil(tokens) }, generateId()));
    },

    async acquireSlot(principal, now = clock()): Promise<ConcurrencySlot> {
      const limit = principal.maxConcurrentRequests;
      if (limit === undefined) return { release: async () => {} };
      const leaseId = generateId();
      const expiresAt = store.leasesLapse ? now + leaseMs : Number.POSITIVE_INFINITY;
      const decision = await guarded(() => store.acquireLease(principal.id, { now, limit, leaseId, expiresAt }));
      if (!decision.admitted) {
        throw new RateLimitError({
          message: `Concurrency limit reached for key ${principal.prefix}…: limit ${limit} concurrent requests, ${decision.held} running.`,
          limit: "concurrent-requests",
          retryAfterSeconds: concurrencyRetryAfterSeconds,
        });
      }
      held.set(leaseId, { keyId: principal.id });
      startRenewals();
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          held.delete(leaseId);
          stopRenewalsWhenIdle();
          await store.releaseLease(principal.id, leaseId).catch((error: unknown) => options.onError?.(error));
        },
      };
    },

    renewSlots,

    async dispose() {
      if (renewalTimer) clearInterval(renewalTimer);
      renewalTimer = undefined;
      held.clear();
      await store.dispose();
    },
  };
}

