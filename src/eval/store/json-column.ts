import { z } from "zod";
import { InternalError } from "../../spec/index.js";

/** Decodes a JSON column and validates it; a malformed row is an InternalError naming the column. */
export function parseJsonColumn<T>(text: string, schema: z.ZodType<T>, column: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InternalError({ message: `stored ${column} is not valid JSON`, cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InternalError({ message: `stored ${column} is malformed: ${parsed.error.message}` });
  return parsed.data;
}

/** JSON.stringify that keeps non-finite numbers (NaN scores, -Infinity log-probabilities) as strings. */
export function stringifyJsonColumn(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "number" && !Number.isFinite(item) ? String(item) : item));
}

/** A number stored by {@link stringifyJsonColumn}: finite numbers, or "NaN" / "Infinity" / "-Infinity". */
export const storedNumberSchema = z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"]).transform(Number)]);

export const metricSummarySchema = z.object({
  name: z.string(),
  value: storedNumberSchema,
  standardError: storedNumberSchema.optional(),
  interval: z.tuple([storedNumberSchema, storedNumberSchema]).optional(),
  count: z.number(),
});
