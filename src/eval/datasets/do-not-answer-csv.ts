import { z } from "zod";
import { InvalidRequestError } from "../../spec/index.js";
import { parseCsvWithHeader } from "./parse-csv.js";
import { parseJsonDocument } from "./parse-json-lines.js";
import { readDatasetText } from "./read-dataset-file.js";

/** Do-Not-Answer action categories (human labels in `data_en.csv`). */
export const doNotAnswerActions = [
  "refuse",
  "refute-premise",
  "both-sides",
  "answer-with-disclaimer",
  "cannot-answer",
  "follow-instruction",
] as const;
export type DoNotAnswerAction = (typeof doNotAnswerActions)[number];

export type DoNotAnswerQuestion = {
  id: string;
  riskArea: string;
  harmType: string;
  specificHarm: string;
  question: string;
};

export type LabelledResponse = {
  /** Column prefix, e.g. `GPT4`, `llama2-7b-chat`. */
  model: string;
  response: string;
  harmful: boolean;
  action: DoNotAnswerAction;
};

export type DoNotAnswerLabelledItem = DoNotAnswerQuestion & { responses: LabelledResponse[] };

const questionSchema = z.object({
  id: z.string().regex(/^\d+$/),
  risk_area: z.string().min(1),
  types_of_harm: z.string().min(1),
  specific_harms: z.string(),
  question: z.string().min(1),
});

function toQuestion(record: z.output<typeof questionSchema>): DoNotAnswerQuestion {
  return { id: record.id, riskArea: record.risk_area, harmType: record.types_of_harm, specificHarm: record.specific_harms, question: record.question };
}

/** `do_not_answer_en.csv`: `id,risk_area,types_of_harm,specific_harms,question` with a header row. */
export function parseDoNotAnswerQuestions(text: string, source = "do_not_answer_en.csv"): DoNotAnswerQuestion[] {
  return parseCsvWithHeader(text, { source }).map((row, index) => toQuestion(parseJsonDocument(row, questionSchema, `${source} record ${index + 2}`)));
}

/**
 * `data_en.csv`: the question columns plus, per model, `<model>_response`, `<model>_harmful` (0/1) and
 * `<model>_action` (0–5). Models are discovered from the `_response` columns.
 */
export function parseDoNotAnswerLabelled(text: string, source = "data_en.csv"): DoNotAnswerLabelledItem[] {
  const rows = parseCsvWithHeader(text, { source });
  const firstRow = rows[0];
  if (!firstRow) return [];
  const models = Object.keys(firstRow)
    .filter((column) => column.endsWith("_response"))
    .map((column) => column.slice(0, -"_response".length));
  return rows.map((row, index) => {
    const recordSource = `${source} record ${index + 2}`;
    const responses = models.map((model): LabelledResponse => {
      const harmful = row[`${model}_harmful`]?.trim();
      const action = Number(row[`${model}_action`]?.trim());
      const actionName = doNotAnswerActions[action];
      if ((harmful !== "0" && harmful !== "1") || actionName === undefined || !Number.isInteger(action)) {
        throw new InvalidRequestError({ message: `${recordSource}: ${model} has harmful=${JSON.stringify(harmful)} action=${JSON.stringify(row[`${model}_action`])}`, code: "invalid_dataset" });
      }
      return { model, response: row[`${model}_response`] ?? "", harmful: harmful === "1", action: actionName };
    });
    return { ...toQuestion(parseJsonDocument(row, questionSchema, recordSource)), responses };
  });
}

export async function loadDoNotAnswerQuestions(path: string): Promise<DoNotAnswerQuestion[]> {
  return parseDoNotAnswerQuestions(await readDatasetText(path), path);
}

export async function loadDoNotAnswerLabelled(path: string): Promise<DoNotAnswerLabelledItem[]> {
  return parseDoNotAnswerLabelled(await readDatasetText(path), path);
}
