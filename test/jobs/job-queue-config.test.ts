import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { jobQueueOf } from "../../src/jobs/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";

const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-queue-config-"));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const load = (environment: Record<string, string>) => loadConfig({ environment: { AIPLUS_HOME: home, ...environment }, warn: () => undefined });

describe("job queue settings", () => {
  it("uses the embedded runner without a Redis URL, and BullMQ on that Redis (with its key prefix) with one", () => {
    const embedded = load({});
    expect(jobQueueOf(embedded)).toEqual({ type: "embedded" });
    expect(embedded.jobLeaseSeconds).toBe(30);
    const scaled = load({ AIPLUS_REDIS_URL: "redis://:secret@queue.internal:6380/2", AIPLUS_REDIS_PREFIX: "team-a", AIPLUS_JOB_LEASE_SECONDS: "5" });
    expect(jobQueueOf(scaled)).toEqual({ type: "bullmq", redisUrl: "redis://:secret@queue.internal:6380/2", prefix: "team-a" });
    expect(scaled.jobLeaseSeconds).toBe(5);
    expect(jobQueueOf(load({ AIPLUS_REDIS_URL: "redis://127.0.0.1:6379" }))).toEqual({ type: "bullmq", redisUrl: "redis://127.0.0.1:6379", prefix: "aiplus" });
  });

  it("rejects a bad Redis URL, key prefix or lease, naming the variable and the setting", () => {
    const failure = (environment: Record<string, string>): InvalidRequestError => {
      try {
        load(environment);
      } catch (error) {
        if (error instanceof InvalidRequestError) return error;
        throw error;
      }
      throw new Error(`accepted ${JSON.stringify(environment)}`);
    };
    const url = failure({ AIPLUS_REDIS_URL: "http://127.0.0.1:6379" });
    expect(url.message).toContain("AIPLUS_REDIS_URL");
    expect(url.param).toBe("redisUrl");
    const prefix = failure({ AIPLUS_REDIS_PREFIX: "a:b" });
    expect(prefix.message).toContain("AIPLUS_REDIS_PREFIX");
    expect(prefix.message).toContain("letters, digits");
    expect(prefix.param).toBe("redisPrefix");
    const lease = failure({ AIPLUS_JOB_LEASE_SECONDS: "0" });
    expect(lease.message).toContain("AIPLUS_JOB_LEASE_SECONDS");
    expect(lease.param).toBe("jobLeaseSeconds");
    expect(failure({ AIPLUS_JOB_LEASE_SECONDS: "soon" }).param).toBe("jobLeaseSeconds");
  });
});
