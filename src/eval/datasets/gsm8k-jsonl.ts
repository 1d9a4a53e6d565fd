import { z } from "zod";
import { parseJsonLines } from "./parse-json-lines.js";
import { readDatasetText } from "./read-dataset-file.js";

export type Gsm8kItem = { index: number; question: string; answer: string };

const recordSchema = z.object({ question: z.string().min(1), answer: z.string().min(1) });

/** openai/grade-school-math jsonl: `{question, answer}`; the answer ends with `#### N`. */
export function parseGsm8kJsonl(text: string, source = "gsm8k.jsonl"): Gsm8kItem[] {
  return parseJsonLines(text, recordSchema, source).map((record, index) => ({ index, ...record }));
}

export async function loadGsm8kJsonl(path: string): Promise<Gsm8kItem[]> {
  return parseGsm8kJsonl(await readDatasetText(path), path);
}
