import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobRepository } from "../../src/jobs/index.js";
import { createPullProgressRepository } from "../../src/model-pulls/pull-progress-repository.js";
import { createModelRepository } from "../../src/store/index.js";
import { type TestDatabase, testDatabaseFactories } from "./test-databases.js";

// Model files pass 2 GiB, and 4 GiB: the byte counts must survive both dialects exactly.
const fiveGigabytes = 5_368_709_120;

describe.each(testDatabaseFactories)("model pull store on $dialect", (factory) => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await factory.open();
  }, 120_000);
  afterAll(async () => testDatabase?.close());

  it("keeps a pull's figures (bigint bytes), clears the rate on stop and reads many in one call", async () => {
    const progress = createPullProgressRepository(testDatabase.database);
    await progress.write("pull-a", { bytesDone: fiveGigabytes - 1, bytesTotal: fiveGigabytes, rateBytesPerSecond: 1234.6, resumedFrom: 1024, errorCode: undefined, updatedAt: 1_700_000_000_000 });
    await progress.write("pull-a", { bytesDone: fiveGigabytes, bytesTotal: fiveGigabytes, rateBytesPerSecond: 2000, resumedFrom: 1024, errorCode: undefined, updatedAt: 1_700_000_001_000 });
    await progress.stop("pull-b", 1_700_000_002_000, "unreachable");
    await progress.stop("pull-a", 1_700_000_003_000, undefined);
    const read = await progress.getMany(["pull-a", "pull-b", "pull-c"]);
    expect(read.get("pull-a")).toEqual({ bytesDone: fiveGigabytes, bytesTotal: fiveGigabytes, rateBytesPerSecond: undefined, resumedFrom: 1024, errorCode: undefined, updatedAt: 1_700_000_003_000 });
    expect(read.get("pull-b")).toEqual({ bytesDone: 0, bytesTotal: undefined, rateBytesPerSecond: undefined, resumedFrom: 0, errorCode: "unreachable", updatedAt: 1_700_000_002_000 });
    expect(read.has("pull-c")).toBe(false);
    expect(await progress.getMany([])).toEqual(new Map());
  });

  it("jobs: a failed job can be cancelled on request and a failed or cancelled one queued again", async () => {
    const jobs = createJobRepository(testDatabase.database);
    await jobs.insert({ id: "job-1", kind: "model.pull", payload: {}, holder: "host/1/x", at: 1000 });
    expect(await jobs.finish("job-1", "host/1/x", 2000, { status: "failed", error: "cut" })).toBe(true);
    expect(await jobs.cancel("job-1", 3000)).toBe(false);
    expect(await jobs.requeue("job-1", 4000)).toBe(true);
    expect(await jobs.get("job-1")).toMatchObject({ status: "queued", error: undefined, finishedAt: undefined, updatedAt: 4000 });
    expect(await jobs.requeue("job-1", 5000)).toBe(false);
    expect(await jobs.claim("job-1", "host/1/y", 6000, null)).toBe(true);
    expect(await jobs.finish("job-1", "host/1/y", 7000, { status: "failed", error: "cut again" })).toBe(true);
    expect(await jobs.cancel("job-1", 8000, { includeFailed: true })).toBe(true);
    expect(await jobs.get("job-1")).toMatchObject({ status: "cancelled", finishedAt: 8000 });
    expect(await jobs.requeue("job-1", 9000)).toBe(true);
  });

  it("models: entries carry the sha256 and registration time", async () => {
    const models = createModelRepository(testDatabase.database, { now: () => 1_700_000_000_000 });
    const metadata = { architecture: "llama", kind: "llm" as const, parameterCount: 1, quantization: "F32", contextLength: 8, embeddingLength: 8, expertCount: undefined, expertUsedCount: undefined, hasChatTemplate: false, vocabularySize: 8, fileSizeBytes: 10 };
    await models.add({ name: "pulled", path: "/m/a.gguf", kind: "llm", metadata, sha256: "f".repeat(64) });
    await models.add({ name: "z-added", path: "/m/b.gguf", kind: "llm", metadata });
    expect((await models.listEntries()).map((entry) => [entry.name, entry.sha256, entry.createdAt])).toEqual([
      ["pulled", "f".repeat(64), 1_700_000_000_000],
      ["z-added", undefined, 1_700_000_000_000],
    ]);
    expect(await models.getEntry("PULLED")).toMatchObject({ name: "pulled", sha256: "f".repeat(64) });
    expect(await models.getEntry("none")).toBeUndefined();
  });
});
