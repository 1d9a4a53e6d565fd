import path from "node:path";
import { createUsageRecordRepository, openDatabase } from "../../src/store/index.js";

/** A ledger row to write: when it started, whose it is, its model, tokens and the cost charged (nano-dollars). */
export type SeedRecord = { id: string; createdAt: number; keyId: string; model: string; inputTokens: number; outputTokens: number; costNanos: number; status?: "ok" | "error" };

/**
 * Writes settled ledger rows with chosen start times straight into a running server's SQLite database (WAL lets a
 * second process write), through the store layer the server itself uses. Real requests can only happen "now"; these
 * put requests right before and after local midnights of past days.
 */
export async function seedLedger(serverHome: string, records: readonly SeedRecord[]): Promise<void> {
  const database = await openDatabase(`sqlite:${path.join(serverHome, "aiplus.db")}`);
  try {
    const usage = createUsageRecordRepository(database);
    for (const record of records) {
      await usage.insertPending({
        id: record.id,
        instanceId: "e2e-seed",
        keyId: record.keyId,
        model: record.model,
        route: "local",
        endpoint: "chat.completions",
        reservedNanos: 0,
        day: new Date(record.createdAt).toISOString().slice(0, 10),
        createdAt: record.createdAt,
      });
      const failed = record.status === "error";
      await usage.settle(record.id, {
        status: failed ? "error" : "ok",
        cancelled: false,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
        costNanos: failed ? 0 : record.costNanos,
        providerCostNanos: record.costNanos,
        latencyMs: 12,
        error: failed ? "seeded failure" : undefined,
        finishedAt: record.createdAt + 12,
      });
    }
  } finally {
    await database.dispose();
  }
}
