import path from "node:path";
import { type KnowledgeStore, PostgresKnowledgeStore, SqliteKnowledgeStore } from "../src/rag/index.js";
import { openDatabase } from "../src/store/index.js";
import { startTestPostgres } from "../test/support/postgres.js";

/** The knowledge stores `npm run bench:rag` compares (`--store postgres` adds PostgreSQL next to the SQLite default). */
export type BenchStoreKind = "sqlite" | "postgres";

/** Parses `--store`: the SQLite default alone, or SQLite and PostgreSQL side by side. */
export function benchStoreKinds(value: string | undefined): BenchStoreKind[] {
  switch (value) {
    case undefined:
    case "sqlite":
      return ["sqlite"];
    case "postgres":
      return ["sqlite", "postgres"];
    default:
      throw new Error(`--store ${value}: expected sqlite or postgres`);
  }
}

/**
 * A fresh, empty store of one kind: SQLite in a file under `folder`; PostgreSQL in a new database, migrated like the
 * platform's main database (on AIPLUS_TEST_POSTGRES_URL when set, else a throwaway local PostgreSQL 15 with pgvector).
 */
export async function openBenchStore(kind: BenchStoreKind, folder: string, label: string): Promise<{ store: KnowledgeStore; dispose: () => Promise<void> }> {
  switch (kind) {
    case "sqlite": {
      const store = new SqliteKnowledgeStore({ path: path.join(folder, `${label}.db`) });
      return { store, dispose: () => store.close() };
    }
    case "postgres": {
      const postgres = await startTestPostgres();
      const store = new PostgresKnowledgeStore({ database: await openDatabase(postgres.url), closeDatabase: true });
      return {
        store,
        async dispose() {
          await store.close();
          await postgres.stop();
        },
      };
    }
  }
}
