import { z } from "zod";
import { parseJsonDocument } from "./parse-json-lines.js";
import { orderedJsonToPlain, parseOrderedJson } from "./parse-ordered-json.js";
import { readDatasetText } from "./read-dataset-file.js";

export type TruthfulqaTargets = { choices: string[]; labels: number[] };

export type TruthfulqaItem = {
  index: number;
  question: string;
  /** One correct answer, listed first (lm-eval `doc_to_target: 0`). */
  mc1: TruthfulqaTargets;
  /** Several correct answers (label 1) then incorrect ones (label 0). */
  mc2: TruthfulqaTargets;
};

const targetsSchema = z.array(z.tuple([z.string(), z.union([z.literal(0), z.literal(1)])])).min(2);
const fileSchema = z.array(z.object({ question: z.string().min(1), mc1_targets: targetsSchema, mc2_targets: targetsSchema }));

/**
 * TruthfulQA `mc_task.json`: `[{question, mc1_targets: {answer: 0|1}, mc2_targets: {…}}]`. Key order is
 * the choice order, so the file is parsed order-preserving (a plain object would move integer-like
 * answers such as `"1"` to the front).
 */
export function parseTruthfulqaMc(text: string, source = "mc_task.json"): TruthfulqaItem[] {
  const plain = orderedJsonToPlain(parseOrderedJson(text, source), new Set(["mc1_targets", "mc2_targets"]));
  return parseJsonDocument(plain, fileSchema, source).map((record, index) => ({
    index,
    question: record.question,
    mc1: { choices: record.mc1_targets.map(([choice]) => choice), labels: record.mc1_targets.map(([, label]) => label) },
    mc2: { choices: record.mc2_targets.map(([choice]) => choice), labels: record.mc2_targets.map(([, label]) => label) },
  }));
}

export async function loadTruthfulqaMc(path: string): Promise<TruthfulqaItem[]> {
  return parseTruthfulqaMc(await readDatasetText(path), path);
}
