import path from "node:path";
import { parse as parseYaml } from "yaml";
import { InvalidRequestError } from "../../spec/index.js";
import { parseCsvWithHeader } from "../datasets/parse-csv.js";
import { parseJsonDocument } from "../datasets/parse-json-lines.js";
import { readDatasetText } from "../datasets/read-dataset-file.js";
import { type CustomTaskDefinition, customTaskSchema } from "./custom-task-schema.js";
import { z } from "zod";

/** Parses and validates a definition from YAML or JSON text (JSON is valid YAML). */
export function parseCustomTask(text: string, source = "task.yaml"): CustomTaskDefinition {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new InvalidRequestError({ message: `${source}: invalid YAML/JSON: ${(error as Error).message}`, code: "invalid_task", cause: error });
  }
  return parseJsonDocument(value, customTaskSchema, source);
}

export type LoadedCustomTask = { definition: CustomTaskDefinition; documents: Record<string, unknown>[]; fewShotDocuments: Record<string, unknown>[] | undefined };

/** Reads a definition file and its dataset (paths relative to the definition's folder). */
export async function loadCustomTask(definitionPath: string): Promise<LoadedCustomTask> {
  const definition = parseCustomTask(await readDatasetText(definitionPath), definitionPath);
  const folder = path.dirname(definitionPath);
  const documents = await loadRecords(path.resolve(folder, definition.dataset.path), definition.dataset.format);
  const fewShotPath = definition.fewShot?.path;
  const fewShotDocuments = fewShotPath ? await loadRecords(path.resolve(folder, fewShotPath), undefined) : undefined;
  return { definition, documents, fewShotDocuments };
}

const recordSchema = z.record(z.string(), z.unknown());

/** JSONL, CSV (header row) or JSON (an array of objects) records. */
export async function loadRecords(file: string, format: "jsonl" | "csv" | "json" | undefined): Promise<Record<string, unknown>[]> {
  const kind = format ?? path.extname(file).slice(1).toLowerCase();
  const text = await readDatasetText(file);
  switch (kind) {
    case "jsonl":
      return text
        .split("\n")
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => line.trim() !== "")
        .map(({ line, index }) => {
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch (error) {
            throw new InvalidRequestError({ message: `${file}:${index + 1}: invalid JSON`, code: "invalid_dataset", cause: error });
          }
          return parseJsonDocument(value, recordSchema, `${file}:${index + 1}`);
        });
    case "csv":
      return parseCsvWithHeader(text, { source: file });
    case "json": {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new InvalidRequestError({ message: `${file}: invalid JSON`, code: "invalid_dataset", cause: error });
      }
      return parseJsonDocument(value, z.array(recordSchema), file);
    }
    default:
      throw new InvalidRequestError({ message: `${file}: unknown dataset format ${JSON.stringify(kind)} (jsonl, csv or json)`, code: "invalid_dataset" });
  }
}
