import { randomUUID } from "node:crypto";
import { type Maas, utcDay } from "../../maas/index.js";
import type { Usage } from "../../spec/index.js";
import { createUsageRecordRepository, type Database } from "../../store/index.js";

export type CliUsageMeterOptions = {
  database: Database;
  /** MaaS over the same database, created with `instanceKind: "cli"` (its instance owns the ledger rows). */
  maas: Pick<Maas, "registerInstance" | "prices">;
  /** Clock. Defaults to `Date.now`. */
  now?: () => number;
  /** Usage record id generator. Defaults to `crypto.randomUUID`. */
  generateId?: () => string;
};

/** A ledger entry of one `aiplus chat` turn: no API key (the operator is local), no budget to reserve. */
export type CliMeteredTurn = {
  /** The route that served the turn (`local` or a provider name), from the stream's metadata. */
  setRoute(route: string): void;
  checkpoint(usage: Usage): void;
  settle(outcome: { usage: Usage; status: "ok" | "error" | "cancelled"; error?: string | undefined }): Promise<void>;
};

/**
 * Writes `aiplus chat` turns into the usage ledger with a null key: opened `pending` before the call, checkpointed
 * while streaming (so a crash bills what was shown) and settled once at the model's price.
 */
export function createCliUsageMeter(options: CliUsageMeterOptions) {
  const now = options.now ?? Date.now;
  const generateId = options.generateId ?? randomUUID;
  const records = createUsageRecordRepository(options.database);
  return async (model: string): Promise<CliMeteredTurn> => {
    const instance = await options.maas.registerInstance();
    const id = generateId();
    const openedAt = now();
    let route: string | undefined;
    await records.insertPending({ id, instanceId: instance.id, keyId: undefined, model, route, endpoint: "chat.completions", reservedNanos: 0, day: utcDay(openedAt), createdAt: openedAt });
    let writes: Promise<unknown> = Promise.resolve();
    return {
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
        await records.settle(id, {
          status: outcome.status,
          cancelled: outcome.status === "cancelled",
          inputTokens: outcome.usage.inputTokens,
          outputTokens: outcome.usage.outputTokens,
          costNanos: await options.maas.prices.costNanos(model, outcome.usage),
          latencyMs: finishedAt - openedAt,
          error: outcome.error,
          route,
          finishedAt,
        });
      },
    };
  };
}
