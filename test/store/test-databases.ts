import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Database, openDatabase } from "../../src/store/index.js";
import { startTestPostgres } from "../support/postgres.js";

/** A migrated, empty database of one dialect, and how to throw it away. */
export type TestDatabase = { database: Database; url: string; close(): Promise<void> };

export type TestDatabaseFactory = { dialect: "sqlite" | "postgres"; open(): Promise<TestDatabase> };

/** SQLite in a fresh temp file. */
export const sqliteTestDatabase: TestDatabaseFactory = {
  dialect: "sqlite",
  async open() {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-store-"));
    const url = `sqlite:${path.join(folder, "aiplus.db")}`;
    const database = await openDatabase(url);
    return {
      database,
      url,
      async close() {
        await database.dispose();
        fs.rmSync(folder, { recursive: true, force: true });
      },
    };
  },
};

/** A fresh PostgreSQL database (throwaway cluster or AIPLUS_TEST_POSTGRES_URL). */
export const postgresTestDatabase: TestDatabaseFactory = {
  dialect: "postgres",
  async open() {
    const server = await startTestPostgres();
    const database = await openDatabase(server.url);
    return {
      database,
      url: server.url,
      async close() {
        await database.dispose();
        await server.stop();
      },
    };
  },
};

export const testDatabaseFactories = [sqliteTestDatabase, postgresTestDatabase] as const;
