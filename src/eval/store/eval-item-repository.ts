import { z } from "zod";
import type { DatabaseExecutor, EvalItemsTable } from "../../store/index.js";
import { parseJsonColumn, storedNumberSchema, stringifyJsonColumn } from "./json-column.js";

/** One scored item of a run: everything needed to audit the prediction or re-aggregate metrics. */
export type EvalItemRecord = {
  runId: string;
  /** Position in the run's item list (0-based); unique per run. */
  itemIndex: number;
  /** The dataset's id of the item. */
  itemId: string;
  /** What the model saw (candidate strings, context/continuation pairs, or a generation prompt). */
  prompt: unknown;
  choices: unknown;
  /** Per-choice scores (log-likelihood tasks). */
  scores: number[] | undefined;
  prediction: unknown;
  reference: unknown;
  /** Per-item metric values, e.g. `{ acc: 1 }`. */
  metrics: Record<string, number>;
  details: unknown;
  createdAt: number;
};

/** Per-item records of eval runs (`eval_items`). */
export type EvalItemRepository = ReturnType<typeof createEvalItemRepository>;

export function createEvalItemRepository(database: DatabaseExecutor) {
  return {
    /**
     * Inserts records; an item already stored for its run is left as it is (a resumed run never duplicates or
     * overwrites an item). Returns how many rows were new.
     */
    async insertMany(records: readonly EvalItemRecord[]): Promise<number> {
      if (records.length === 0) return 0;
      const result = await database.db
        .insertInto("eval_items")
        .values(records.map(toRow))
        .onConflict((conflict) => conflict.columns(["run_id", "item_index"]).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n);
    },

    /** A run's items in item order. */
    async list(runId: string, options: { offset?: number; limit?: number } = {}): Promise<EvalItemRecord[]> {
      let query = database.db.selectFrom("eval_items").selectAll().where("run_id", "=", runId).orderBy("item_index");
      if (options.limit !== undefined) query = query.limit(options.limit).offset(options.offset ?? 0);
      const rows = await query.execute();
      return rows.map(toEvalItemRecord);
    },

    async count(runId: string): Promise<number> {
      const row = await database.db.selectFrom("eval_items").select((eb) => eb.fn.countAll().as("count")).where("run_id", "=", runId).executeTakeFirst();
      return Number(row?.count ?? 0);
    },
  };
}

function json(value: unknown): string | null {
  return value === undefined ? null : stringifyJsonColumn(value);
}

function toRow(record: EvalItemRecord): EvalItemsTable {
  return {
    run_id: record.runId,
    item_index: record.itemIndex,
    item_id: record.itemId,
    prompt: stringifyJsonColumn(record.prompt ?? null),
    choices: json(record.choices),
    scores: json(record.scores),
    prediction: json(record.prediction),
    reference: json(record.reference),
    metrics: stringifyJsonColumn(record.metrics),
    details: json(record.details),
    created_at: record.createdAt,
  };
}

const optionalJson = (text: string | null, column: string): unknown => (text === null ? undefined : parseJsonColumn(text, z.unknown(), column));

function toEvalItemRecord(row: EvalItemsTable): EvalItemRecord {
  return {
    runId: row.run_id,
    itemIndex: Number(row.item_index),
    itemId: row.item_id,
    prompt: parseJsonColumn(row.prompt, z.unknown(), "eval_items.prompt"),
    choices: optionalJson(row.choices, "eval_items.choices"),
    scores: row.scores === null ? undefined : parseJsonColumn(row.scores, z.array(storedNumberSchema), "eval_items.scores"),
    prediction: optionalJson(row.prediction, "eval_items.prediction"),
    reference: optionalJson(row.reference, "eval_items.reference"),
    metrics: parseJsonColumn(row.metrics, z.record(z.string(), storedNumberSchema), "eval_items.metrics"),
    details: optionalJson(row.details, "eval_items.details"),
    createdAt: Number(row.created_at),
  };
}
