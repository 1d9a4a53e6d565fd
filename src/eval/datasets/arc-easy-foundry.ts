import { z } from "zod";
import type { ArcItem } from "./arc-jsonl.js";
import { parseJsonLines } from "./parse-json-lines.js";
import { readDatasetText } from "./read-dataset-file.js";

const foundryRecordSchema = z
  .object({ query: z.string(), choices: z.array(z.string()).min(2), gold: z.number().int().min(0) })
  .refine((record) => record.gold < record.choices.length, "gold is not a choice index");

/**
 * llm-foundry's converted ARC (`{query: "Question: …", choices, gold}`). The `"Question: "` prefix is
 * removed so the item fits the ARC template. About 2% of items are wrong (numeric labels off by one,
 * forced 4 choices): smoke tests only, never parity.
 */
export function parseArcEasyFoundryJsonl(text: string, source = "arc_easy.jsonl"): ArcItem[] {
  return parseJsonLines(text, foundryRecordSchema, source).map((record, index) => ({
    id: `line-${index + 1}`,
    question: record.query.startsWith("Question: ") ? record.query.slice("Question: ".length) : record.query,
    choices: record.choices,
    labels: [],
    goldIndex: record.gold,
  }));
}

export async function loadArcEasyFoundryJsonl(path: string): Promise<ArcItem[]> {
  return parseArcEasyFoundryJsonl(await readDatasetText(path), path);
}
