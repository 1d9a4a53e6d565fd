import { z } from "zod";
import { parseJsonLines } from "./parse-json-lines.js";
import { readDatasetText } from "./read-dataset-file.js";

const recordSchema = z.object({
  task_id: z.string().min(1),
  prompt: z.string().min(1),
  canonical_solution: z.string(),
  test: z.string().min(1),
  entry_point: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "entry_point must be a Python identifier"),
});

export type HumanevalItem = {
  taskId: string;
  prompt: string;
  canonicalSolution: string;
  test: string;
  entryPoint: string;
};

/** openai/human-eval jsonl: `{task_id, prompt, canonical_solution, test, entry_point}`. */
export function parseHumanevalJsonl(text: string, source = "HumanEval.jsonl"): HumanevalItem[] {
  return parseJsonLines(text, recordSchema, source).map((record) => ({
    taskId: record.task_id,
    prompt: record.prompt,
    canonicalSolution: record.canonical_solution,
    test: record.test,
    entryPoint: record.entry_point,
  }));
}

export async function loadHumanevalJsonl(path: string): Promise<HumanevalItem[]> {
  return parseHumanevalJsonl(await readDatasetText(path), path);
}
