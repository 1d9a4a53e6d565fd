import { startTestPostgres } from "../support/postgres.js";
import { sqliteTestDatabase } from "../store/test-databases.js";
import { openDatabase } from "../../src/store/index.js";
import { describeQueueContract } from "./queue-contract.js";

// The embedded runner: each runner polls the jobs table, claims with conditional updates, heartbeats its jobs.
describeQueueContract("embedded runner on SQLite", {
  async setUp() {
    const opened = await sqliteTestDatabase.open();
    return { database: opened.database, databaseUrl: opened.url, queue: { type: "embedded" }, tearDown: () => opened.close() };
  },
});

describeQueueContract("embedded runner on PostgreSQL", {
  async setUp() {
    const server = await startTestPostgres();
    const database = await openDatabase(server.url);
    return {
      database,
      databaseUrl: server.url,
      queue: { type: "embedded" },
      async tearDown() {
        await database.dispose();
        await server.stop();
      },
    };
  },
});
