import { type Kysely, PostgresAdapter } from "kysely";

/**
 * State every instance on one database shares (issue 12), instead of files in an instance's home folder:
 * - `stored_blobs` / `stored_blob_parts`: byte contents cut into parts of at most 1 MiB (`bytes` is BLOB on SQLite,
 *   bytea on PostgreSQL), read back in `part_index` order;
 * - knowledge-base uploads are staged as blobs (a document task's `source_file` is then `staged-upload:<blob id>`);
 * - `eval_datasets`: the dataset configured for a built-in task (`aiplus eval dataset`), with where it came from
 *   (`path`, `few_shot_path`) and the content-addressed `digest` of its files, kept in `eval_dataset_files` (one blob
 *   per file, named by its place in the dataset).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const bytesType = db.getExecutor().adapter instanceof PostgresAdapter ? "bytea" : "blob";
  await db.schema
    .createTable("stored_blobs")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("purpose", "text", (column) => column.notNull())
    .addColumn("byte_count", "bigint", (column) => column.notNull())
    .addColumn("part_count", "integer", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .execute();
  await db.schema
    .createTable("stored_blob_parts")
    .addColumn("blob_id", "text", (column) => column.notNull())
    .addColumn("part_index", "integer", (column) => column.notNull())
    .addColumn("bytes", bytesType, (column) => column.notNull())
    .addPrimaryKeyConstraint("stored_blob_parts_pk", ["blob_id", "part_index"])
    .execute();
  await db.schema
    .createTable("eval_datasets")
    .addColumn("task", "text", (column) => column.primaryKey())
    .addColumn("path", "text", (column) => column.notNull())
    .addColumn("few_shot_path", "text")
    .addColumn("digest", "text", (column) => column.notNull())
    .addColumn("data_name", "text", (column) => column.notNull())
    .addColumn("few_shot_name", "text")
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .execute();
  await db.schema
    .createTable("eval_dataset_files")
    .addColumn("digest", "text", (column) => column.notNull())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("blob_id", "text", (column) => column.notNull())
    .addPrimaryKeyConstraint("eval_dataset_files_pk", ["digest", "name"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("eval_dataset_files").execute();
  await db.schema.dropTable("eval_datasets").execute();
  await db.schema.dropTable("stored_blob_parts").execute();
  await db.schema.dropTable("stored_blobs").execute();
}
