import type { Kysely } from "kysely";

/** Evaluation center: durable eval runs, their per-item records, and arena battles. Portable DDL (SQLite, PostgreSQL). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("eval_runs")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("task", "text", (column) => column.notNull())
    .addColumn("model", "text", (column) => column.notNull())
    .addColumn("scoring", "text")
    .addColumn("config", "text", (column) => column.notNull())
    .addColumn("backend", "text")
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("total_items", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("done_items", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("metrics", "text")
    .addColumn("error", "text")
    .addColumn("key_id", "text")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .addColumn("finished_at", "bigint")
    .execute();
  await db.schema.createIndex("eval_runs_task_created").on("eval_runs").columns(["task", "created_at"]).execute();
  await db.schema.createIndex("eval_runs_status").on("eval_runs").column("status").execute();

  await db.schema
    .createTable("eval_items")
    .addColumn("run_id", "text", (column) => column.notNull().references("eval_runs.id").onDelete("cascade"))
    .addColumn("item_index", "integer", (column) => column.notNull())
    .addColumn("item_id", "text", (column) => column.notNull())
    .addColumn("prompt", "text", (column) => column.notNull())
    .addColumn("choices", "text")
    .addColumn("scores", "text")
    .addColumn("prediction", "text")
    .addColumn("reference", "text")
    .addColumn("metrics", "text", (column) => column.notNull())
    .addColumn("details", "text")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addPrimaryKeyConstraint("eval_items_pk", ["run_id", "item_index"])
    .execute();

  await db.schema
    .createTable("arena_battles")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("prompt", "text", (column) => column.notNull())
    .addColumn("model_a", "text", (column) => column.notNull())
    .addColumn("model_b", "text", (column) => column.notNull())
    .addColumn("answer_a", "text")
    .addColumn("answer_b", "text")
    .addColumn("winner", "text")
    .addColumn("category", "text")
    .addColumn("key_id", "text")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("voted_at", "bigint")
    .execute();
  await db.schema.createIndex("arena_battles_voted").on("arena_battles").column("voted_at").execute();
  await db.schema.createIndex("arena_battles_pair").on("arena_battles").columns(["model_a", "model_b"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["arena_battles", "eval_items", "eval_runs"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
