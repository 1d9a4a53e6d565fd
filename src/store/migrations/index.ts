import type { Migration, MigrationProvider } from "kysely";
import * as foundation from "./0001-foundation.js";
import * as evaluation from "./0002-eval.js";
import * as jobsKnowledge from "./0003-jobs-knowledge.js";

/** Migrations are TypeScript modules listed here in order (no folder scanning, so bundling works). */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { "0001-foundation": foundation, "0002-eval": evaluation, "0003-jobs-knowledge": jobsKnowledge };
  },
};
