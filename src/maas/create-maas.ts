import type { Database } from "../store/index.js";
import { assertModelAllowed } from "./assert-model-allowed.js";
import { createAuthenticator } from "./authenticator.js";
import { createConsoleSessions } from "./console-sessions.js";
import { registerInstance as registerLedgerInstance, type RegisteredInstance } from "./instance-registry.js";
import { createKeyManager } from "./key-manager.js";
import { createMeteredLedger } from "./metered-ledger.js";
import { createOperatorLedger } from "./operator-ledger.js";
import { createPriceBook } from "./price-book.js";
import { createInMemoryRateLimiter, type RateLimiter } from "./rate-limits/index.js";
import { recoverInterruptedRequests as recover, type RecoveryResult } from "./recover-interrupted-requests.js";
import { createUsageReports } from "./usage-reports.js";

export type MaasOptions = {
  database: Database;
  /** Secret of the keyed hash API keys are stored under (see `loadKeySecret`). */
  keySecret: string;
  /** Which kind of process writes the ledger. Defaults to `server`. */
  instanceKind?: "server" | "cli";
  /** Clock. Defaults to `Date.now`. */
  now?: () => number;
  /** Id generator for keys, usage records and the instance. Defaults to `crypto.randomUUID`. */
  generateId?: () => string;
  /** Rate limiter (see `openRateLimiter`); disposed with the Maas. Defaults to an in-memory sliding window. */
  rateLimiter?: RateLimiter;
  /** Heartbeat period of this instance. Defaults to 5000 ms. */
  heartbeatIntervalMs?: number;
  /** An instance whose heartbeat is older than this is dead. Defaults to 30000 ms. */
  staleAfterMs?: number;
  /** How often a server instance recovers dead instances' requests (0 disables). Defaults to 60000 ms. */
  recoveryIntervalMs?: number;
  /** How long a web console session lasts (config `consoleSessionHours`). Defaults to 12 hours. */
  consoleSessionMs?: number | undefined;
  /** Heartbeat or periodic recovery failures. Defaults to ignoring them (the next run retries). */
  onError?: (error: unknown) => void;
};

/** Keys, limits, prices, the metered ledger and usage reports over one database. */
export type Maas = ReturnType<typeof createMaas>;

/**
 * Bundles the MaaS modules. The instance registers lazily (on the first `openMeteredRequest` or `registerInstance`);
 * `dispose()` stops its heartbeat and periodic recovery and removes its row. The database stays open.
 */
export function createMaas(options: MaasOptions) {
  const { database } = options;
  const now = options.now ?? Date.now;
  const kind = options.instanceKind ?? "server";
  let instance: Promise<RegisteredInstance> | undefined;
  let recoveryTimer: NodeJS.Timeout | undefined;

  const recoverInterruptedRequests = async (): Promise<RecoveryResult> =>
    recover({ database, ownInstanceId: instance ? (await instance).id : undefined, now, staleAfterMs: options.staleAfterMs });

  const registerInstance = (): Promise<RegisteredInstance> => {
    instance ??= registerLedgerInstance({
      database,
      kind,
      now,
      generateId: options.generateId,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      onError: options.onError,
    }).then((registered) => {
      const interval = options.recoveryIntervalMs ?? 60_000;
      if (kind === "server" && interval > 0) {
        recoveryTimer = setInterval(() => {
          recoverInterruptedRequests().catch((error: unknown) => options.onError?.(error));
        }, interval);
        recoveryTimer.unref();
      }
      return registered;
    });
    instance.catch(() => {
      instance = undefined;
    });
    return instance;
  };

  const keyManager = createKeyManager({ database, keySecret: options.keySecret, now, generateId: options.generateId });
  const prices = createPriceBook({ database, now });
  const authenticate = createAuthenticator({ database, keySecret: options.keySecret, now });
  const rateLimiter = options.rateLimiter ?? createInMemoryRateLimiter({ now });
  return {
    keys: keyManager,
    ensureAdminKey: (settings?: { adminKey?: string | undefined }) => keyManager.ensureAdminKey(settings),
    authenticate,
    /** Web console sessions (an API key exchanged for an HttpOnly cookie). */
    consoleSessions: createConsoleSessions({ database, keySecret: options.keySecret, authenticate, lifetimeMs: options.consoleSessionMs, now }),
    assertModelAllowed,
    rateLimiter,
    prices,
    openMeteredRequest: createMeteredLedger({ database, now, generateId: options.generateId, instanceId: async () => (await registerInstance()).id }),
    /** A ledger entry of the local operator (no key, no budget): in-process CLI work. */
    openOperatorRequest: createOperatorLedger({
      database,
      now,
      generateId: options.generateId,
      instanceId: async () => (await registerInstance()).id,
      costNanos: (model, usage) => prices.costNanos(model, usage),
    }),
    usage: createUsageReports({ database }),
    recoverInterruptedRequests,
    registerInstance,
    /** Stops heartbeats and periodic recovery, removes the instance row and disposes the rate limiter. Settle open requests first. */
    async dispose(): Promise<void> {
      if (recoveryTimer) clearInterval(recoveryTimer);
      recoveryTimer = undefined;
      const registered = instance;
      instance = undefined;
      try {
        if (registered) await (await registered).stop();
      } finally {
        await rateLimiter.dispose();
      }
    },
  };
}
