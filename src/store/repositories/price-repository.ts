import { sql } from "kysely";
import { modelNameKey } from "../../spec/index.js";
import type { PriceRecord } from "../records.js";
import type { PricesTable } from "../schema.js";
import { affectedRows, type DatabaseExecutor } from "./database-executor.js";

export type PriceRepositoryOptions = {
  /** Clock for `updated_at`. Defaults to `Date.now`. */
  now?: () => number;
};

/** Per-model prices in micro-dollars per 1M tokens; model names match without regard to case. */
export type PriceRepository = ReturnType<typeof createPriceRepository>;

export function createPriceRepository(database: DatabaseExecutor, options: PriceRepositoryOptions = {}) {
  const now = options.now ?? Date.now;
  return {
    /** Creates or replaces the price of a model (an existing price under another case of the name is replaced). */
    async set(model: string, price: { inputMicrosPerMillion: number; outputMicrosPerMillion: number }): Promise<PriceRecord> {
      const existing = await this.get(model);
      const row: PricesTable = {
        model: existing?.model ?? model,
        input_micros_per_million: price.inputMicrosPerMillion,
        output_micros_per_million: price.outputMicrosPerMillion,
        updated_at: now(),
      };
      await database.db
        .insertInto("prices")
        .values(row)
        .onConflict((conflict) =>
          conflict.column("model").doUpdateSet({
            input_micros_per_million: row.input_micros_per_million,
            output_micros_per_million: row.output_micros_per_million,
            updated_at: row.updated_at,
          }),
        )
        .execute();
      return toPriceRecord(row);
    },

    async get(model: string): Promise<PriceRecord | undefined> {
      const row = await database.db.selectFrom("prices").selectAll().where(sql<string>`lower(model)`, "=", modelNameKey(model)).executeTakeFirst();
      return row ? toPriceRecord(row) : undefined;
    },

    async list(): Promise<PriceRecord[]> {
      const rows = await database.db.selectFrom("prices").selectAll().orderBy("model").execute();
      return rows.map(toPriceRecord);
    },

    /** Removes a price; false when the model had none. */
    async remove(model: string): Promise<boolean> {
      const result = await database.db.deleteFrom("prices").where(sql<string>`lower(model)`, "=", modelNameKey(model)).executeTakeFirst();
      return affectedRows(result) > 0;
    },
  };
}

function toPriceRecord(row: PricesTable): PriceRecord {
  return {
    model: row.model,
    inputMicrosPerMillion: Number(row.input_micros_per_million),
    outputMicrosPerMillion: Number(row.output_micros_per_million),
    updatedAt: Number(row.updated_at),
  };
}
