import { randomUUID } from "node:crypto";
import { AuthenticationError, RateLimitError, type Usage } from "../spec/index.js";
import {
  createApiKeyRepository,
  createPriceRepository,
  createUsageRecordRepository,
  type Database,
  type PriceRecord,
} from "../store/index.js";
import { currentPeriodStart, periodEnd, utcDay } from "./budget-period.js";
import { computeCostNanos } from "./cost.js";
import { nanosToDollars } from "./money.js";
import { sumFailedAttempts } from "./sum-failed-attempts.js";
import type { MeteredRequest, ReservationRequest } from "./types.js";

export type MeteredLedgerOptions = {
  database: Database;
  /** The instance (see `registerInstance`) whose requests these are; awaited on first open. */
  instanceId: () => Promise<string> | string;
  /** Clock. Defaults to `Date.now`. */
  now?: () => number;
  /** Usage record id generator. Defaults to `crypto.randomUUID`. */
  generateId?: () => string;
};

/** Retry-after of a `total` budget: it never frees by itself. */
const totalBudgetRetryAfterSeconds = 30 * 86_400;

export type OpenMeteredRequestInput = ReservationRequest & {
  /** Opening time (epoch ms). Defaults to the ledger's clock. */
  now?: number | undefined;
  /** The route, when already known. */
  route?: string | undefined;
};

/** A MeteredRequest with what it holds reserved. */
export type OpenMeteredRequest = MeteredRequest & { readonly reservedNanos: number; readonly keyId: string };

/**
 * Opens ledger entries: reserves each request's maximum cost against its key's budget and writes a `pending` usage
 * record in one transaction, so concurrent requests can never overspend by more than what they reserved.
 */
export function createMeteredLedger(options: MeteredLedgerOptions): (request: OpenMeteredRequestInput) => Promise<OpenMeteredRequest> {
  const clock = options.now ?? Date.now;
  const generateId = options.generateId ?? randomUUID;
  const { database } = options;

  return async (request) => {
    const openedAt = request.now ?? clock();
    const instanceId = await options.instanceId();
    const keyId = request.principal.id;
    // Read before the transaction: on SQLite a transaction that starts with a write takes the lock at once.
    const price = await createPriceRepository(database).get(request.model);
    const reservedNanos = computeCostNanos(price, { inputTokens: request.maxInputTokens, outputTokens: request.maxOutputTokens });
    const id = generateId();

    await database.db.transaction().execute(async (transaction) => {
      const keys = createApiKeyRepository({ db: transaction });
      await keys.rollPeriods(keyId, {
        day: currentPeriodStart("day", openedAt),
        week: currentPeriodStart("week", openedAt),
        month: currentPeriodStart("month", openedAt),
      });
      if (!(await keys.reserve(keyId, reservedNanos))) {
        const key = await keys.get(keyId);
        if (!key) throw new AuthenticationError({ message: "Incorrect API key provided: the key no longer exists.", code: "invalid_api_key" });
        if (key.revokedAt !== undefined) throw new AuthenticationError({ message: `API key revoked: ${key.prefix}…`, code: "api_key_revoked" });
        const end = periodEnd(key.budgetPeriod, key.periodStart);
        throw new RateLimitError({
          message:
            `Budget exceeded for API key ${key.prefix}…: $${nanosToDollars(key.spentNanos)} spent and ` +
            `$${nanosToDollars(key.reservedNanos)} reserved of $${nanosToDollars(key.budgetNanos ?? 0)} per ${key.budgetPeriod}; ` +
            `this request may cost up to $${nanosToDollars(reservedNanos)}.`,
          limit: "budget",
          retryAfterSeconds: end === undefined ? totalBudgetRetryAfterSeconds : (end - openedAt) / 1000,
        });
      }
      await createUsageRecordRepository({ db: transaction }).insertPending({
        id,
        instanceId,
        keyId,
        model: request.model,
        route: request.route,
        endpoint: request.endpoint,
        reservedNanos,
        day: utcDay(openedAt),
        createdAt: openedAt,
      });
    });

    return createMeteredRequest({ database, id, keyId, openedAt, reservedNanos, price, route: request.route, clock });
  };
}

function createMeteredRequest(state: {
  database: Database;
  id: string;
  keyId: string;
  openedAt: number;
  reservedNanos: number;
  price: PriceRecord | undefined;
  route: string | undefined;
  clock: () => number;
}): OpenMeteredRequest {
  const usageRecords = createUsageRecordRepository(state.database);
  let route = state.route;
  // Checkpoints are written in call order; settle waits for them so a late checkpoint never races the final write.
  let checkpoints: Promise<unknown> = Promise.resolve();
  let settlement: Promise<void> | undefined;

  return {
    id: state.id,
    keyId: state.keyId,
    reservedNanos: state.reservedNanos,
    setRoute(value) {
      route = value;
    },
    checkpoint(usage: Usage) {
      const write = checkpoints.then(() =>
        usageRecords.checkpoint(state.id, { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, route, at: state.clock() }),
      );
      checkpoints = write.catch(() => undefined);
      return write.then(() => undefined);
    },
    settle(outcome) {
      settlement ??= (async () => {
        await checkpoints;
        const finishedAt = state.clock();
        const usageCostNanos = computeCostNanos(state.price, outcome.usage);
        const costNanos = outcome.charged === false ? 0 : usageCostNanos;
        const failed = sumFailedAttempts(outcome.failedAttempts ?? []);
        const failedCostNanos = computeCostNanos(state.price, { inputTokens: failed.failedInputTokens, outputTokens: failed.failedOutputTokens });
        const providerCostNanos = usageCostNanos + failedCostNanos;
        await state.database.db.transaction().execute(async (transaction) => {
          const settled = await createUsageRecordRepository({ db: transaction }).settle(state.id, {
            status: outcome.status,
            cancelled: outcome.status === "cancelled",
            inputTokens: outcome.usage.inputTokens,
            outputTokens: outcome.usage.outputTokens,
            costNanos,
            providerCostNanos,
            ...failed,
            latencyMs: Math.max(0, finishedAt - state.openedAt),
            error: outcome.error,
            route,
            finishedAt,
          });
          // Already settled (e.g. recovered as interrupted by another instance): the reservation is released.
          if (settled) await createApiKeyRepository({ db: transaction }).release(state.keyId, state.reservedNanos, costNanos);
        });
      })();
      // A failed settle may be retried.
      settlement.catch(() => {
        settlement = undefined;
      });
      return settlement;
    },
  };
}
