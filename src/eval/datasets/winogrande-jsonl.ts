import { z } from "zod";
import { parseJsonLines } from "./parse-json-lines.js";
import { readDatasetText } from "./read-dataset-file.js";
import type { WinograndeItem } from "./winogrande-item.js";

const winograndeRecordSchema = z.object({
  qID: z.string(),
  sentence: z.string().refine((sentence) => sentence.includes("_"), "sentence has no _"),
  option1: z.string(),
  option2: z.string(),
  answer: z.enum(["1", "2"]),
});

/** AllenAI WinoGrande jsonl (`qID, sentence, option1, option2, answer`), split at the first `_`. */
export function parseWinograndeJsonl(text: string, source = "winogrande.jsonl"): WinograndeItem[] {
  return parseJsonLines(text, winograndeRecordSchema, source).map((record) => {
    const where = record.sentence.indexOf("_");
    return {
      id: record.qID,
      first: record.sentence.slice(0, where),
      second: record.sentence.slice(where + 1),
      options: [record.option1, record.option2],
      answer: record.answer === "1" ? 1 : 2,
    };
  });
}

export async function loadWinograndeJsonl(path: string): Promise<WinograndeItem[]> {
  return parseWinograndeJsonl(await readDatasetText(path), path);
}
