import type { Usage } from "../spec/index.js";
import { createPriceRepository, type Database, type PriceRecord } from "../store/index.js";
import { computeCostNanos } from "./cost.js";
import { dollarsToMicros, microsToDollars } from "./money.js";

export type PriceBookOptions = {
  database: Database;
  /** Clock for `updatedAt`. Defaults to `Date.now`. */
  now?: () => number;
};

/** A model's price as shown to people: dollars per 1M tokens (and the stored micro-dollars). */
export type ModelPrice = PriceRecord & { inputDollarsPerMillion: number; outputDollarsPerMillion: number };

/** Prices per 1M input and output tokens per model; unpriced models cost nothing. */
export type PriceBook = ReturnType<typeof createPriceBook>;

export function createPriceBook(options: PriceBookOptions) {
  const prices = createPriceRepository(options.database, { now: options.now });
  return {
    /** Sets a model's price in dollars per 1M tokens (stored exactly as micro-dollars). */
    async set(model: string, price: { inputDollarsPerMillion: number; outputDollarsPerMillion: number }): Promise<ModelPrice> {
      const record = await prices.set(model, {
        inputMicrosPerMillion: dollarsToMicros(price.inputDollarsPerMillion, "input"),
        outputMicrosPerMillion: dollarsToMicros(price.outputDollarsPerMillion, "output"),
      });
      return toModelPrice(record);
    },

    async get(model: string): Promise<ModelPrice | undefined> {
      const record = await prices.get(model);
      return record ? toModelPrice(record) : undefined;
    },

    async list(): Promise<ModelPrice[]> {
      return (await prices.list()).map(toModelPrice);
    },

    /** Removes a price; false when the model had none. */
    async remove(model: string): Promise<boolean> {
      return prices.remove(model);
    },

    /** Cost of a usage in nano-dollars at the model's current price. */
    async costNanos(model: string, usage: Pick<Usage, "inputTokens" | "outputTokens">): Promise<number> {
      return computeCostNanos(await prices.get(model), usage);
    },
  };
}

function toModelPrice(record: PriceRecord): ModelPrice {
  return {
    ...record,
    inputDollarsPerMillion: microsToDollars(record.inputMicrosPerMillion),
    outputDollarsPerMillion: microsToDollars(record.outputMicrosPerMillion),
  };
}
