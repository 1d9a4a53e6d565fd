import { type Kysely, sql } from "kysely";

/**
 * Workflow versions and the cost of nested agent runs (issue 8). `workflow_versions` keeps every version of every
 * workflow (`version` counts from 1 per workflow; each update adds one, the definition is immutable);
 * `workflows.version` is the latest; `workflow_runs.workflow_version` the version a run ran. Existing workflows
 * become version 1 of themselves, existing runs ran version 1. `run_nested_calls` lists the ledger rows of model calls
 * made by agents used as tools inside a response run (written as each call starts), so the run's `max_cost` counts
 * them, after a restart too. Portable DDL (SQLite, PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("workflow_versions")
    .addColumn("workflow_id", "text", (column) => column.notNull())
    .addColumn("version", "integer", (column) => column.notNull())
    .addColumn("definition", "text", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("workflow_versions_pk", ["workflow_id", "version"])
    .execute();
  await db.schema.alterTable("workflows").addColumn("version", "integer", (column) => column.notNull().defaultTo(1)).execute();
  await db.schema.alterTable("workflow_runs").addColumn("workflow_version", "integer", (column) => column.notNull().defaultTo(1)).execute();
  await sql`insert into workflow_versions (workflow_id, version, definition, created_at) select id, 1, definition, created_at from workflows`.execute(db);
  await db.schema
    .createTable("run_nested_calls")
    .addColumn("response_id", "text", (column) => column.notNull())
    .addColumn("ledger_request_id", "text", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("run_nested_calls_pk", ["response_id", "ledger_request_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("run_nested_calls").ifExists().execute();
  await db.schema.alterTable("workflow_runs").dropColumn("workflow_version").execute();
  await db.schema.alterTable("workflows").dropColumn("version").execute();
  await db.schema.dropTable("workflow_versions").ifExists().execute();
}
