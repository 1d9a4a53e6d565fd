import { Redis } from "ioredis";
import type { LimitStore, WindowKind } from "./limit-store.js";
import { type RedisScript, slotScript, windowScript } from "./redis-scripts.js";
import type { WindowDecision } from "./sliding-window.js";

export type RedisLimitStoreOptions = {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (AIPLUS_REDIS_URL). */
  url: string;
  /** Prefix of every Redis key this store writes. Defaults to `aiplus:limits:`. */
  keyPrefix?: string | undefined;
  /** How long Redis keeps a key's slot set after its last change (at least the slot lease). Defaults to 60 s. */
  slotSetTtlMs?: number | undefined;
  /** Longest wait for a connection, and for one command. Defaults to 2000 ms. */
  timeoutMs?: number | undefined;
  /** Connection state changes: `unreachable` (with the error) once when lost, `ready` when (re)connected. */
  onConnectionChange?: ((state: "ready" | "unreachable", error?: Error) => void) | undefined;
};

/**
 * Counts in Redis, shared by every instance that uses the same Redis: each decision is one Lua script (atomic in
 * Redis). A command never waits for a lost connection (no offline queue, no retries): while Redis is unreachable every
 * call fails at once, and the rate limiter answers 503; the client reconnects in the background.
 */
export async function openRedisLimitStore(options: RedisLimitStoreOptions): Promise<LimitStore> {
  const prefix = options.keyPrefix ?? "aiplus:limits:";
  const timeoutMs = options.timeoutMs ?? 2000;
  const slotSetTtlMs = String(options.slotSetTtlMs ?? 60_000);
  const location = `Redis at ${redactedUrl(options.url)}`;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // Reconnect quickly at first, then every 2 s while Redis stays away.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  let lastError: Error | undefined;
  let reachable = false;
  let disposed = false;
  redis.on("error", (error: Error) => {
    lastError = error;
  });
  redis.on("close", () => {
    if (!reachable || disposed) return;
    reachable = false;
    options.onConnectionChange?.("unreachable", lastError ?? new Error("the connection closed"));
  });
  redis.on("ready", () => {
    reachable = true;
    lastError = undefined;
    options.onConnectionChange?.("ready");
  });
  try {
    await redis.connect();
  } catch (error) {
    // Keeps reconnecting in the background; until then every call fails (503).
    options.onConnectionChange?.("unreachable", lastError ?? (error instanceof Error ? error : new Error(String(error))));
  }

  const windowKey = (keyId: string, kind: WindowKind) => `${prefix}{${keyId}}:${kind}`;
  const slotsKey = (keyId: string) => `${prefix}{${keyId}}:slots`;

  /** Runs a script by its SHA-1; sends it whole the first time Redis does not know it. */
  async function run(script: RedisScript, key: string, args: (string | number)[]): Promise<number[]> {
    let reply: unknown;
    try {
      reply = await redis.evalsha(script.sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      reply = await redis.eval(script.source, 1, key, ...args);
    }
    if (!Array.isArray(reply)) throw new Error(`unexpected reply from ${location}: ${JSON.stringify(reply)}`);
    return reply.map((value) => Number(value));
  }

  async function window(keyId: string, kind: WindowKind, now: number, windowMs: number, limit: number, amount: number, entryId: string | undefined): Promise<WindowDecision> {
    const [admitted, used = 0, freesAt = now] = await run(windowScript, windowKey(keyId, kind), [
      now,
      now - windowMs,
      windowMs,
      limit,
      amount,
      entryId === undefined ? 0 : 1,
      `${entryId ?? ""}:${amount}`,
      kind === "requests" ? 1 : 0,
    ]);
    return admitted === 1 ? { admitted: true } : { admitted: false, used, freesAt };
  }

  return {
    description: location,
    leasesLapse: true,

    take: (keyId, kind, { now, windowMs, limit, amount }, entryId) => window(keyId, kind, now, windowMs, limit, amount, entryId),

    peek: (keyId, kind, { now, windowMs, limit, amount }) => window(keyId, kind, now, windowMs, limit, amount, undefined),

    async add(keyId, kind, { now, windowMs, amount }, entryId) {
      const key = windowKey(keyId, kind);
      const results = await redis
        .multi()
        .zremrangebyscore(key, "-inf", now - windowMs)
        .zadd(key, now, `${entryId}:${amount}`)
        .pexpire(key, windowMs)
        .exec();
      const failed = results?.find(([error]) => error !== null)?.[0];
      if (failed) throw failed;
    },

    async acquireLease(keyId, { now, limit, leaseId, expiresAt }) {
      const [admitted, held = 0] = await run(slotScript, slotsKey(keyId), [now, limit, leaseId, expiresAt, slotSetTtlMs]);
      return admitted === 1 ? { admitted: true } : { admitted: false, held };
    },

    async renewLeases(leases, expiresAt) {
      if (leases.length === 0) return;
      const batch = redis.pipeline();
      for (const { keyId, leaseId } of leases) {
        batch.zadd(slotsKey(keyId), "XX", expiresAt, leaseId);
        batch.pexpire(slotsKey(keyId), slotSetTtlMs);
      }
      const results = await batch.exec();
      const failed = results?.find(([error]) => error !== null)?.[0];
      if (failed) throw failed;
    },

    async releaseLease(keyId, leaseId) {
      await redis.zrem(slotsKey(keyId), leaseId);
    },

    describeFailure(error) {
      const message = error instanceof Error ? error.message : String(error);
      // A reply error is Redis refusing a command; anything else is the connection (lost, refused, timed out).
      if (error instanceof Error && error.name === "ReplyError") return `${location} refused a command: ${message}`;
      const reason = lastError?.message ?? (message.includes("enableOfflineQueue") ? "not connected" : message);
      return `${location} is unreachable (${reason})`;
    },

    async dispose() {
      disposed = true;
      redis.disconnect();
    },
  };
}

/** The URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}
