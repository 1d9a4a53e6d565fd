import os from "node:os";
import {
  createApiKeyRepository,
  createInstanceRepository,
  createPriceRepository,
  createUsageRecordRepository,
  type Database,
  type InstanceRecord,
} from "../store/index.js";
import { computeCostNanos } from "./cost.js";

export type RecoverInterruptedRequestsOptions = {
  database: Database;
  /** This process's instance, whose open requests are never touched. */
  ownInstanceId?: string | undefined;
  /** Clock. Defaults to `Date.now`. */
  now?: () => number;
  /** An instance whose heartbeat is older than this is dead. Defaults to 30000 ms (six missed 5 s heartbeats). */
  staleAfterMs?: number;
  /**
   * Whether a process id on this host is alive; an instance on this host whose process is gone is dead at once
   * (a server restarted after kill -9 recovers its predecessor's requests without waiting). Defaults to `kill(pid, 0)`.
   */
  isProcessAlive?: (pid: number) => boolean;
};

export type RecoveryResult = {
  /** Ids of the usage records settled as `interrupted`. */
  recovered: string[];
  /** Ids of the dead instances removed. */
  removedInstances: string[];
};

/**
 * Settles the open requests of dead instances (stale heartbeat, missing row, or a process on this host that is
 * gone) as `interrupted`: billed for the last checkpointed tokens, reservation released, one transaction per
 * record. A record settled meanwhile by its owner is skipped, so nothing is billed twice.
 */
export async function recoverInterruptedRequests(options: RecoverInterruptedRequestsOptions): Promise<RecoveryResult> {
  const now = (options.now ?? Date.now)();
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const isProcessAlive = options.isProcessAlive ?? processExists;
  const hostname = os.hostname();
  const { database } = options;

  const isDead = (instance: InstanceRecord | undefined): boolean =>
    instance === undefined ||
    instance.heartbeatAt < now - staleAfterMs ||
    (instance.hostname === hostname && instance.pid !== process.pid && !isProcessAlive(instance.pid));

  const prices = createPriceRepository(database);
  const pending = await createUsageRecordRepository(database).listPending({ exceptInstanceId: options.ownInstanceId });
  // Instances are read after the pending rows: every row's instance registered before the row was written, so a
  // missing instance really is gone (not one that registered after this scan began).
  const instances = new Map((await createInstanceRepository(database).list()).map((instance) => [instance.id, instance]));
  const recovered: string[] = [];
  for (const record of pending) {
    if (!isDead(instances.get(record.instanceId))) continue;
    const costNanos = computeCostNanos(await prices.get(record.model), record);
    const settled = await database.db.transaction().execute(async (transaction) => {
      const done = await createUsageRecordRepository({ db: transaction }).settle(record.id, {
        status: "interrupted",
        cancelled: false,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
        costNanos,
        latencyMs: undefined,
        error: `interrupted: instance ${record.instanceId} stopped before the request finished`,
        finishedAt: now,
      });
      if (done && record.keyId !== undefined) {
        await createApiKeyRepository({ db: transaction }).release(record.keyId, record.reservedNanos, costNanos);
      }
      return done;
    });
    if (settled) recovered.push(record.id);
  }

  const removedInstances: string[] = [];
  for (const instance of instances.values()) {
    if (instance.id === options.ownInstanceId || !isDead(instance)) continue;
    if (await createInstanceRepository(database).remove(instance.id)) removedInstances.push(instance.id);
  }
  return { recovered, removedInstances };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
