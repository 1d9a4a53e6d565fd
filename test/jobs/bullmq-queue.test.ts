import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobRunner } from "../../src/jobs/index.js";
import { type Database, openDatabase } from "../../src/store/index.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { startTestRedis, type TestRedis } from "../support/redis.js";
import { describeQueueContract } from "./queue-contract.js";
import { readTrace, stepJobHandlers, stepJobKind } from "./support/step-jobs.js";

// BullMQ on Redis (the scale-out profile): delivery, locks as leases, stalled-job recovery, retries with backoff; the
// jobs table on PostgreSQL stays the record.
describeQueueContract("BullMQ on Redis, jobs table on PostgreSQL", {
  async setUp() {
    const redis = await startTestRedis();
    const server = await startTestPostgres();
    const database = await openDatabase(server.url);
    return {
      database,
      databaseUrl: server.url,
      queue: { type: "bullmq", redisUrl: redis.url, prefix: redis.prefix },
      async tearDown() {
        await database.dispose();
        await server.stop();
        await redis.stop();
      },
    };
  },
});

describe("BullMQ queue while Redis is unreachable", () => {
  let postgres: TestPostgres;
  let redis: TestRedis;
  let database: Database;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-queue-unreachable-"));
  beforeAll(async () => {
    postgres = await startTestPostgres();
    redis = await startTestRedis();
    database = await openDatabase(postgres.url);
  });
  afterAll(async () => {
    await database?.dispose();
    await postgres?.stop();
    await redis?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it("still takes a job (queued in the table) and stops; a runner that reaches Redis runs the job", async () => {
    const errors: string[] = [];
    // Nothing listens on port 1: every Redis command waits for a connection that never comes.
    const cut = new JobRunner({
      database,
      handlers: stepJobHandlers(folder),
      queue: { type: "bullmq", redisUrl: "redis://127.0.0.1:1", prefix: redis.prefix },
      onError: (error) => errors.push(String(error)),
    });
    cut.start();
    const job = await cut.enqueue({ id: randomUUID(), kind: stepJobKind, payload: { steps: 2 } });
    expect(job.status).toBe("queued");
    expect(errors.some((error) => error.includes("Redis did not answer"))).toBe(true);
    await cut.dispose();

    const connected = new JobRunner({ database, handlers: stepJobHandlers(folder), queue: { type: "bullmq", redisUrl: redis.url, prefix: redis.prefix }, leaseMs: 2000 });
    connected.start();
    try {
      expect(await connected.waitFor(job.id, { intervalMs: 25 })).toMatchObject({ status: "completed", result: { steps: 2 }, attempts: 1 });
      expect(readTrace(folder, job.id).writes).toEqual([0, 1]);
    } finally {
      await connected.dispose();
    }
  });
});
