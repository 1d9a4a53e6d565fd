import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerInstance } from "../../src/maas/index.js";
import { createInstanceRepository } from "../../src/store/index.js";
import { sqliteTestDatabase, type TestDatabase } from "../store/test-databases.js";

describe("registerInstance", () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await sqliteTestDatabase.open();
  });
  afterEach(async () => {
    await test.close();
  });

  it("registers this process, heartbeats (re-registering a removed row), and removes itself on stop", async () => {
    let clock = 1000;
    const instances = createInstanceRepository(test.database);
    const instance = await registerInstance({ database: test.database, kind: "cli", now: () => clock, generateId: () => "instance-1", heartbeatIntervalMs: 60_000 });
    expect(await instances.get("instance-1")).toMatchObject({ kind: "cli", pid: process.pid, startedAt: 1000, heartbeatAt: 1000 });
    clock = 2000;
    await instance.heartbeat();
    expect((await instances.get("instance-1"))?.heartbeatAt).toBe(2000);
    await instances.remove("instance-1");
    clock = 3000;
    await instance.heartbeat();
    expect(await instances.get("instance-1")).toMatchObject({ startedAt: 1000, heartbeatAt: 3000 });
    await instance.stop();
    await instance.stop();
    expect(await instances.list()).toEqual([]);
    await instance.heartbeat();
    expect(await instances.list()).toEqual([]);
  });
});
