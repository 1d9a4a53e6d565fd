import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import OpenAI from "openai";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { WriteAheadMeter } from "../../src/api/metering/index.js";
import { loadConfig } from "../../src/config/index.js";
import { createPlatform } from "../../src/platform/index.js";
import { inspectGguf } from "../../src/runtime/index.js";
import { createApiKeyRepository, createInstanceRepository, createUsageRecordRepository, openDatabase } from "../../src/store/index.js";
import { testModelPath } from "../support/test-models.js";

const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-platform-"));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
const config = (drainSeconds = 30) => loadConfig({ environment: {}, flags: { home, port: 0, threads: 1, gpu: "cpu", logLevel: "silent", drainSeconds } });

describe("createPlatform", () => {
  it("prints a generated admin key once, and a dispose past the drain time ends a stream with an error, settled as interrupted", async () => {
    const shown: string[] = [];
    const platform = await createPlatform({ config: config(0), logger: pino({ level: "silent" }), onAdminKeyCreated: (key) => shown.push(key) });
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^aip_/);
    expect(platform.generatedAdminKey).toBe(shown[0]);
    const { url, port } = await platform.start();
    expect(port).toBeGreaterThan(0);
    const admin = new OpenAI({ apiKey: shown[0], baseURL: `${url}/v1`, maxRetries: 0 });
    await admin.post("/admin/models", { body: { path: await testModelPath("stories260K.gguf"), name: "stories" } });
    const stream = await admin.chat.completions.create({
      model: "stories",
      messages: [{ role: "user", content: "A long story" }],
      max_tokens: 1800,
      logit_bias: { "2": -100 },
      stream: true,
    });
    let id = "";
    let finishReason: string | null = null;
    let disposing: Promise<void> | undefined;
    let contentChunks = 0;
    const reading = (async () => {
      for await (const chunk of stream) {
        id = chunk.id;
        finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
        if (chunk.choices[0]?.delta.content) contentChunks++;
        if (contentChunks >= 5) disposing ??= platform.dispose();
      }
    })();
    // Never a normal finish: the stream ends with the shutdown's error event.
    await expect(reading).rejects.toThrow(/shutting down/);
    await disposing;
    expect(finishReason).toBeNull();

    const database = await openDatabase(platform.config.databaseUrl);
    try {
      const record = (await createUsageRecordRepository(database).list({ limit: 10 })).find((entry) => `chatcmpl-${entry.id}` === id);
      // Billed for what the stream delivered.
      expect(record).toMatchObject({ status: "interrupted", cancelled: false });
      expect(record!.outputTokens).toBeGreaterThanOrEqual(contentChunks);
      expect(record!.costNanos).toBe(record!.providerCostNanos);
      expect(record!.outputTokens).toBeLessThan(1800);
      expect((await createApiKeyRepository(database).list()).every((key) => key.reservedNanos === 0)).toBe(true);
      expect(await createInstanceRepository(database).list()).toEqual([]);
    } finally {
      await database.dispose();
    }

    const again = await createPlatform({ config: config(), logger: pino({ level: "silent" }), onAdminKeyCreated: (key) => shown.push(key) });
    expect(again.generatedAdminKey).toBeUndefined();
    expect(shown).toHaveLength(1);
    await again.dispose();
  });

  it("dispose stops every part even when one fails, closes the database, and reports the failure as an AggregateError", async () => {
    const ownHome = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-platform-dispose-"));
    try {
      const ownConfig = loadConfig({ environment: {}, flags: { home: ownHome, port: 0, threads: 1, gpu: "cpu", logLevel: "silent" } });
      const platform = await createPlatform({ config: ownConfig, logger: pino({ level: "silent" }), onAdminKeyCreated: () => undefined });
      await platform.start();
      // A real failure of one part: the ledger cannot remove this instance's row when it stops.
      await sql`CREATE TRIGGER keep_instances BEFORE DELETE ON instances BEGIN SELECT RAISE(ABORT, 'instances are kept by this test'); END`.execute(platform.database.db);
      const disposing = platform.dispose();
      await expect(disposing).rejects.toBeInstanceOf(AggregateError);
      const failure = (await disposing.catch((error: unknown) => error)) as AggregateError;
      expect(failure.errors).toHaveLength(1);
      expect(String(failure.errors[0])).toMatch(/instances are kept by this test/);
      expect(failure.message).toMatch(/instances are kept by this test/);
      // Idempotent: the same outcome again.
      await expect(platform.dispose()).rejects.toBe(failure);
      // The parts after the failing one were stopped too: the database is closed, the runtime refuses work.
      await expect(platform.database.db.selectFrom("instances").selectAll().execute()).rejects.toThrow();
      const modelPath = await testModelPath("stories260K.gguf");
      await expect(platform.runtime.load({ name: "stories", path: modelPath, kind: "llm", metadata: await inspectGguf(modelPath) })).rejects.toThrow(/shutting down/);
      // The database file is free: another process opens it and sees the row the failed stop left behind.
      const database = await openDatabase(ownConfig.databaseUrl);
      try {
        expect(await createInstanceRepository(database).list()).toHaveLength(1);
      } finally {
        await database.dispose();
      }
    } finally {
      fs.rmSync(ownHome, { recursive: true, force: true });
    }
  });
});

describe("WriteAheadMeter", () => {
  it("checkpoints once per window, always ahead of what goes out", () => {
    const meter = new WriteAheadMeter(4, 10);
    const checkpoints = [];
    for (let token = 1; token <= 10; token++) {
      meter.progress({ inputTokens: 10, outputTokens: token });
      const checkpoint = meter.beforeContent();
      if (checkpoint) checkpoints.push(checkpoint.outputTokens);
      expect(checkpoints[checkpoints.length - 1]).toBeGreaterThanOrEqual(token);
    }
    expect(checkpoints).toEqual([5, 9, 13]);
  });

  it("counts content parts as at least one token each when no progress is reported", () => {
    const meter = new WriteAheadMeter(1, undefined);
    expect([1, 2, 3].map(() => meter.beforeContent()?.outputTokens)).toEqual([1, 2, 3]);
    expect(meter.generatedAtLeast()).toEqual({ inputTokens: undefined, outputTokens: 3 });
  });
});
