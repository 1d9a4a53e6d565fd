import { type Kysely, sql } from "kysely";

/**
 * Workflows (`/v1/workflows`, src/workflows): `workflows` (definitions owned by the key that created them; a deleted
 * workflow keeps its row so that its runs still show, and frees its name), `workflow_runs` (one durable run: its
 * definition as it started, inputs, status) and `workflow_run_steps` (the step log: each step's output is written
 * before its dependants start, so a run resumed after a crash never repeats a finished step). Portable DDL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("workflows")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("owner_id", "text", (column) => column.notNull())
    .addColumn("definition", "text", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addColumn("deleted_at", "bigint")
    .execute();
  await db.schema.createIndex("workflows_owner_name").on("workflows").columns(["owner_id", "name"]).unique().where(sql.ref("deleted_at"), "is", null).execute();
  await db.schema
    .createTable("workflow_runs")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("workflow_id", "text", (column) => column.notNull())
    .addColumn("key_id", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("definition", "text", (column) => column.notNull())
    .addColumn("inputs", "text", (column) => column.notNull())
    .addColumn("output", "text")
    .addColumn("error", "text")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addColumn("finished_at", "bigint")
    .execute();
  await db.schema.createIndex("workflow_runs_workflow").on("workflow_runs").columns(["workflow_id", "created_at"]).execute();
  await db.schema
    .createTable("workflow_run_steps")
    .addColumn("run_id", "text", (column) => column.notNull().references("workflow_runs.id").onDelete("cascade"))
    .addColumn("step_key", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("output", "text")
    .addColumn("error", "text")
    .addColumn("attempts", "integer", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("workflow_run_steps_pk", ["run_id", "step_key"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("workflow_run_steps").ifExists().execute();
  await db.schema.dropTable("workflow_runs").ifExists().execute();
  await db.schema.dropTable("workflows").ifExists().execute();
}
