import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/index.js";
import { migrationProvider } from "../../src/store/migrations/index.js";
import { createWorkflowRepository, parseWorkflowDefinition } from "../../src/workflows/index.js";
import { startTestPostgres } from "../support/postgres.js";

/** A database of one dialect migrated up to the migration before 0029 (workflows without versions). */
type LegacyDatabase = { url: string; db: Kysely<unknown>; close(): Promise<void> };

const legacyDatabases: Record<"sqlite" | "postgres", () => Promise<LegacyDatabase>> = {
  async sqlite() {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-migration-"));
    const file = path.join(folder, "aiplus.db");
    return {
      url: `sqlite:${file}`,
      db: new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) }),
      async close() {
        fs.rmSync(folder, { recursive: true, force: true });
      },
    };
  },
  async postgres() {
    const server = await startTestPostgres();
    return { url: server.url, db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: server.url }) }) }), close: () => server.stop() };
  },
};

const definition = { name: "legacy", inputs: {}, steps: [{ id: "ask", type: "human_input", prompt: "?" }] };

describe.each(["sqlite", "postgres"] as const)("migration 0029 on %s: workflows become versioned", (dialect) => {
  it("turns each existing workflow into its version 1 and each existing run into a run of version 1", async () => {
    const legacy = await legacyDatabases[dialect]();
    try {
      const migrator = new Migrator({ db: legacy.db, provider: migrationProvider });
      const names = Object.keys(await migrationProvider.getMigrations()).sort();
      const before = names[names.indexOf("0029-workflow-versions-nested-costs") - 1]!;
      expect((await migrator.migrateTo(before)).error).toBeUndefined();
      await sql`insert into workflows (id, name, owner_id, definition, created_at, updated_at, deleted_at) values ('wf_old', 'legacy', 'k1', ${JSON.stringify(definition)}, 1700000000000, 1700000000000, null)`.execute(legacy.db);
      await sql`insert into workflow_runs (id, workflow_id, key_id, status, definition, inputs, output, error, created_at, updated_at, finished_at)
        values ('wfrun_old', 'wf_old', 'k1', 'completed', ${JSON.stringify(definition)}, '{}', 'null', null, 1700000000000, 1700000000000, 1700000000000)`.execute(legacy.db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      await legacy.db.destroy();

      const database = await openDatabase(legacy.url);
      try {
        const repository = createWorkflowRepository(database);
        expect(await repository.get("wf_old")).toMatchObject({ version: 1, definition: { name: "legacy" } });
        expect(await repository.getVersion("wf_old", 1)).toMatchObject({ version: 1, createdAt: 1700000000000, definition: { name: "legacy" } });
        expect((await repository.getRun("wfrun_old"))?.workflowVersion).toBe(1);
        expect((await repository.addVersion("wf_old", parseWorkflowDefinition({ ...definition, description: "next" })))?.version).toBe(2);
        expect((await repository.listVersions("wf_old", { after: undefined, limit: 10, order: "asc" })).items.map((version) => version.version)).toEqual([1, 2]);
      } finally {
        await database.dispose();
      }
    } finally {
      await legacy.close();
    }
  }, 120_000);
});
