import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { InternalError, NotFoundError } from "../../spec/index.js";
import { getBuiltInTask } from "../tasks/built-in-tasks.js";

const datasetSchema = z.object({
  /** Dataset file (MMLU: folder of test CSVs). */
  path: z.string().min(1),
  /** MMLU dev folder / GSM8K train file. */
  fewShotPath: z.string().min(1).optional(),
});

/** A task's configured dataset. */
export type ConfiguredDataset = z.output<typeof datasetSchema>;

const fileSchema = z.record(z.string(), datasetSchema);

/** Where the datasets of built-in tasks are configured once: `$AIPLUS_HOME/eval-datasets.json`. */
export function evalDatasetsFile(home: string): string {
  return path.join(home, "eval-datasets.json");
}

/** The configured dataset of every task that has one. */
export async function readEvalDatasets(home: string): Promise<Record<string, ConfiguredDataset>> {
  const file = evalDatasetsFile(home);
  if (!existsSync(file)) return {};
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new InternalError({ message: `${file} is not valid JSON`, cause: error });
  }
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) throw new InternalError({ message: `${file} is malformed: ${parsed.error.issues[0]?.message ?? "invalid"}` });
  return parsed.data;
}

/** Configures the dataset a built-in task uses when a run names none (absolute paths; they must exist). */
export async function setEvalDataset(home: string, task: string, dataset: ConfiguredDataset): Promise<ConfiguredDataset> {
  getBuiltInTask(task);
  const resolved: ConfiguredDataset = { path: path.resolve(dataset.path) };
  if (dataset.fewShotPath !== undefined) resolved.fewShotPath = path.resolve(dataset.fewShotPath);
  for (const [param, file] of [["data", resolved.path], ["few_shot", resolved.fewShotPath]] as const) {
    if (file !== undefined && !existsSync(file)) throw new NotFoundError({ message: `${file} does not exist`, param });
  }
  const all = await readEvalDatasets(home);
  all[task] = resolved;
  const file = evalDatasetsFile(home);
  await mkdir(home, { recursive: true });
  await writeFile(`${file}.partial`, `${JSON.stringify(all, null, 2)}\n`);
  await rename(`${file}.partial`, file);
  return resolved;
}
