import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMaas, type Maas } from "../../src/maas/index.js";
import { createUsageRecordRepository } from "../../src/store/index.js";
import { type TestDatabase, testDatabaseFactories } from "../store/test-databases.js";

const secret = "crash-secret-0123456789";
const writerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "crash-writer.ts");

type WriterReport = { instanceId: string; streaming: string; notStarted: string; finished: string };

/** Runs the writer until it reports, then kills it with SIGKILL (no cleanup of any kind runs). */
async function runAndKillWriter(databaseUrl: string, apiKey: string): Promise<WriterReport> {
  const child = spawn(process.execPath, ["--import", "tsx", writerScript, databaseUrl, secret, apiKey], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  const lines = readline.createInterface({ input: child.stdout });
  const firstLine = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
  });
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  lines.close();
  return JSON.parse(firstLine) as WriterReport;
}

for (const factory of testDatabaseFactories) {
  describe(`crash recovery on ${factory.dialect}`, () => {
    let test: TestDatabase;
    let maas: Maas;
    beforeAll(async () => {
      test = await factory.open();
      maas = createMaas({ database: test.database, keySecret: secret, recoveryIntervalMs: 0 });
      await maas.prices.set("priced", { inputDollarsPerMillion: 1, outputDollarsPerMillion: 2 });
    });
    afterAll(async () => {
      await maas?.dispose();
      await test?.close();
    });

    it("after kill -9, a restarted instance settles the dead one's requests as interrupted, once, releasing reservations", async () => {
      const { record, key } = await maas.keys.create({ name: "victim", budget: 1 });
      const report = await runAndKillWriter(test.url, key);
      const usageRecords = createUsageRecordRepository(test.database);

      // The killed process left two pending rows holding reservations (3 × 300_000 reserved, one settled).
      expect((await usageRecords.listPending()).map((row) => row.id).sort()).toEqual([report.streaming, report.notStarted].sort());
      expect(await maas.keys.get(record.id)).toMatchObject({ reservedNanos: 600_000, spentNanos: 5 * 1000 + 6 * 2000 });

      // A new process on this host: the dead pid is detected at once, without waiting for the heartbeat to go stale.
      const restarted = createMaas({ database: test.database, keySecret: secret, recoveryIntervalMs: 0 });
      try {
        await restarted.registerInstance();
        const recovery = await restarted.recoverInterruptedRequests();
        expect(recovery.recovered.sort()).toEqual([report.streaming, report.notStarted].sort());
        expect(recovery.removedInstances).toContain(report.instanceId);
        expect((await restarted.recoverInterruptedRequests()).recovered).toEqual([]);
      } finally {
        await restarted.dispose();
      }

      expect(await usageRecords.get(report.streaming)).toMatchObject({ status: "interrupted", inputTokens: 30, outputTokens: 12, costNanos: 30 * 1000 + 12 * 2000, cancelled: false });
      expect(await usageRecords.get(report.notStarted)).toMatchObject({ status: "interrupted", inputTokens: undefined, outputTokens: undefined, costNanos: 0 });
      expect(await usageRecords.get(report.finished)).toMatchObject({ status: "ok", inputTokens: 5, outputTokens: 6, costNanos: 17_000 });
      const records = await maas.usage.list({ keyId: record.id });
      expect(records).toHaveLength(3);
      expect(await usageRecords.listPending()).toEqual([]);
      const totals = await maas.usage.aggregate({ by: ["key"], keyId: record.id });
      const keyAfter = await maas.keys.get(record.id);
      expect(keyAfter).toMatchObject({ reservedNanos: 0, spentNanos: 17_000 + 54_000 });
      expect(totals).toEqual([expect.objectContaining({ requests: 3, inputTokens: 35, outputTokens: 18, costNanos: keyAfter?.spentNanos })]);
    });
  });
}
