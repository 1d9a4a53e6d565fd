import { z } from "zod";
import { InvalidRequestError } from "../../spec/index.js";
import { parseJsonLines } from "./parse-json-lines.js";
import { readDatasetText } from "./read-dataset-file.js";

/** An ARC question in a harness-neutral shape. */
export type ArcItem = {
  id: string;
  question: string;
  choices: string[];
  /** Choice labels as given (`A`–`E` or `1`–`4`); empty for formats without labels. */
  labels: string[];
  goldIndex: number;
};

const arcRecordSchema = z.object({
  id: z.string(),
  question: z.object({
    stem: z.string(),
    choices: z.array(z.object({ text: z.string(), label: z.string() })).min(2),
  }),
  answerKey: z.string(),
});

/** AI2 ARC jsonl (`{id, question:{stem, choices:[{text,label}]}, answerKey}`), mixed `A–E`/`1–4` labels. */
export function parseArcJsonl(text: string, source = "arc.jsonl"): ArcItem[] {
  return parseJsonLines(text, arcRecordSchema, source).map((record) => {
    const labels = record.question.choices.map((choice) => choice.label);
    // lm-eval: gold = choices.label.index(answerKey)
    const goldIndex = labels.indexOf(record.answerKey);
    if (goldIndex < 0) {
      throw new InvalidRequestError({ message: `${source}: ${record.id}: answerKey ${record.answerKey} is not a choice label`, code: "invalid_dataset" });
    }
    return { id: record.id, question: record.question.stem, choices: record.question.choices.map((choice) => choice.text), labels, goldIndex };
  });
}

export async function loadArcJsonl(path: string): Promise<ArcItem[]> {
  return parseArcJsonl(await readDatasetText(path), path);
}
