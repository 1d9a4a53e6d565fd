import { afterAll, beforeAll } from "vitest";
import { createSqlRateLimiter } from "../../src/maas/index.js";
import { type Database, openDatabase } from "../../src/store/index.js";
import { type TestDatabase, testDatabaseFactories } from "../store/test-databases.js";
import { runRateLimiterContract } from "./rate-limiter-contract.js";

/**
 * The database-backed limiter (migration 0025) on each dialect. On PostgreSQL `limiter` and `peer` each have their own
 * connection pool to one database, as two instances would. On SQLite they share one connection: better-sqlite3 is
 * synchronous, so a second connection in the same process would busy-wait on the first one's lock with the event loop
 * blocked (two processes on one file do not have that problem, but one server process uses the in-memory limiter).
 */
for (const factory of testDatabaseFactories) {
  let shared: TestDatabase;
  let second: Database;
  beforeAll(async () => {
    shared = await factory.open();
    second = factory.dialect === "postgres" ? await openDatabase(shared.url) : shared.database;
  });
  afterAll(async () => {
    if (second !== shared.database) await second.dispose();
    await shared.close();
  });
  runRateLimiterContract(`database (${factory.dialect})`, {
    open: () => ({ limiter: createSqlRateLimiter(shared.database), peer: createSqlRateLimiter(second) }),
    shared: true,
  });
}
