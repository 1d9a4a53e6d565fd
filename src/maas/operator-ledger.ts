import { randomUUID } from "node:crypto";
import type { Usage } from "../spec/index.js";
import { createUsageRecordRepository, type Database } from "../store/index.js";
import { utcDay } from "./budget-period.js";
import { sumFailedAttempts } from "./sum-failed-attempts.js";

export type OperatorLedgerOptions = {
  database: Database;
  /** The writing process's ledger instance (its rows are recovered if it dies). */
  instanceId: () => Promise<string>;
  /** Cost of a usage at the price book. */
  costNanos: (model: string, usage: Pick<Usage, "inputTokens" | "outputTokens">) => Promise<number>;
  /** Clock. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  /** Usage record id generator. Defaults to `crypto.randomUUID`. */
  generateId?: (() => string) | undefined;
};

/** What the local operator's call is: no key, so no budget, rate limit or allow-list applies. */
export type OperatorRequestInput = {
  model: string;
  endpoint: string;
  route?: string | undefined;
};

/** An open ledger entry of the local operator; checkpointed while streaming and settled once. */
export type OperatorRequest = {
  readonly id: string;
  setRoute(route: string): void;
  checkpoint(usage: Usage): void;
  /** `failedAttempts`: see `SettleOutcome` (their cost is provider cost only). */
  settle(outcome: { usage: Usage; status: "ok" | "error" | "cancelled"; error?: string | undefined; failedAttempts?: readonly Usage[] | undefined }): Promise<void>;
};

/**
 * Ledger entries of work the local operator starts in process (`aiplus chat`, `aiplus kb add|query|reindex`): rows
 * with no key, opened `pending` before the call (so a crash leaves a row to recover), settled at the model's price.
 */
export function createOperatorLedger(options: OperatorLedgerOptions) {
  const now = options.now ?? Date.now;
  const generateId = options.generateId ?? randomUUID;
  const records = createUsageRecordRepository(options.database);
  return async (request: OperatorRequestInput): Promise<OperatorRequest> => {
    const instanceId = await options.instanceId();
    const id = generateId();
    const openedAt = now();
    let route = request.route;
    await records.insertPending({ id, instanceId, keyId: undefined, model: request.model, route, endpoint: request.endpoint, reservedNanos: 0, day: utcDay(openedAt), createdAt: openedAt });
    let writes: Promise<unknown> = Promise.resolve();
    return {
      id,
      setRoute(value) {
        route = value;
      },
      checkpoint(usage) {
        writes = writes
          .then(() => records.checkpoint(id, { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, route, at: now() }))
          .catch(() => undefined);
      },
      async settle(outcome) {
        await writes;
        const finishedAt = now();
        const failed = sumFailedAttempts(outcome.failedAttempts ?? []);
        const costNanos = await options.costNanos(request.model, outcome.usage);
        const failedCostNanos =
          failed.failedAttempts === 0 ? 0 : await options.costNanos(request.model, { inputTokens: failed.failedInputTokens, outputTokens: failed.failedOutputTokens });
        await records.settle(id, {
          status: outcome.status,
          cancelled: outcome.status === "cancelled",
          inputTokens: outcome.usage.inputTokens,
          outputTokens: outcome.usage.outputTokens,
          costNanos,
          providerCostNanos: costNanos + failedCostNanos,
          ...failed,
          latencyMs: finishedAt - openedAt,
          error: outcome.error,
          route,
          finishedAt,
        });
      },
    };
  };
}
