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
    value = source.toLowerCase().endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new InvalidRequestError({
      message: `${source}: invalid ${source.toLowerCase().endsWith(".json") ? "JSON" : "YAML/JSON"}: ${(error as Error).message.split("\n")[0]}`,
      code: "invalid_task",
      param: "task_definition",
      cause: error,
    });
  }
  return parseCustomTaskValue(value, source);
}

/** Validates a parsed definition (an inline `task_definition`); the error names the first fields at fault. */
export function parseCustomTaskValue(value: unknown, source = "task definition"): CustomTaskDefinition {
  const parsed = customTaskSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3);
    const problems = issues.map((issue) => `${issue.path.join(".") || "(definition)"}: ${issue.message}`);
    const firstPath = issues[0]?.path.join(".") ?? "";
    throw new InvalidRequestError({
      message: `${source} is not a valid task definition: ${problems.join("; ")}`,
      code: "invalid_task",
      param: firstPath ? `task_definition.${firstPath}` : "task_definition",
    });
  }
  return parsed.data;
}

export type LoadedCustomTask = { definition: CustomTaskDefinition; documents: Record<string, unknown>[]; fewShotDocuments: Record<string, unknown>[] | undefined };

/**
 * Reads and validates a definition file (YAML, or JSON: a path ending `.json` is parsed as JSON) and makes its dataset
 * and few-shot paths absolute (relative ones resolve against the file's folder), so that the definition can be stored
 * with a run and used as it is on resume.
 */
export async function readCustomTaskFile(definitionPath: string): Promise<CustomTaskDefinition> {
  const definition = parseCustomTask(await readDatasetText(definitionPath), definitionPath);
  return resolveCustomTaskPaths(definition, path.dirname(path.resolve(definitionPath)));
}

/** The definition with its dataset and few-shot paths resolved against `folder`. */
export function resolveCustomTaskPaths(definition: CustomTaskDefinition, folder: string): CustomTaskDefinition {
  const resolve = (file: string | undefined) => (file === undefined ? undefined : path.resolve(folder, file));
  return {
    ...definition,
    dataset: { ...definition.dataset, path: resolve(definition.dataset.path) },
    fewShot: definition.fewShot ? { ...definition.fewShot, path: resolve(definition.fewShot.path) } : undefined,
  };
}

/** The test documents and few-shot documents of a definition (inline records or files; relative paths resolve against `folder`). */
export async function loadCustomTaskDocuments(definition: CustomTaskDefinition, folder = process.cwd()): Promise<Omit<LoadedCustomTask, "definition">> {
  const { dataset, fewShot } = definition;
  const documents = dataset.records ?? (await loadRecords(path.resolve(folder, dataset.path!), dataset.format));
  const fewShotDocuments = fewShot?.records ?? (fewShot?.path ? await loadRecords(path.resolve(folder, fewShot.path), undefined) : undefined);
  if (documents.length === 0) throw new InvalidRequestError({ message: `${definition.name}: the dataset has no records`, code: "invalid_dataset", param: "dataset" });
  return { documents, fewShotDocuments };
}

/** Reads a definition file and its dataset (paths relative to the definition's folder). */
export async function loadCustomTask(definitionPath: string): Promise<LoadedCustomTask> {
  const definition = await readCustomTaskFile(definitionPath);
  return { definition, ...(await loadCustomTaskDocuments(definition)) };
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
