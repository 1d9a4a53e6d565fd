import type { z } from "zod";
import { InvalidRequestError } from "../../spec/index.js";

/** One JSON value per non-empty line, each validated by `schema`; errors name the line. */
export function parseJsonLines<Schema extends z.ZodType>(text: string, schema: Schema, source = "JSONL"): z.output<Schema>[] {
  const records: z.output<Schema>[] = [];
  const lines = text.split("\n");
  for (const [lineIndex, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InvalidRequestError({ message: `${source}:${lineIndex + 1}: invalid JSON`, code: "invalid_dataset", cause: error });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new InvalidRequestError({
        message: `${source}:${lineIndex + 1}: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(record)"}: ${issue.message}`).join("; ")}`,
        code: "invalid_dataset",
      });
    }
    records.push(parsed.data);
  }
  return records;
}

/** Validates one parsed JSON document (whole-file JSON datasets). */
export function parseJsonDocument<Schema extends z.ZodType>(value: unknown, schema: Schema, source = "JSON"): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidRequestError({
      message: `${source}: ${parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(document)"}: ${issue.message}`).join("; ")}`,
      code: "invalid_dataset",
    });
  }
  return parsed.data;
}
