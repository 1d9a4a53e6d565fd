import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { InternalError, InvalidRequestError, NotFoundError } from "../../spec/index.js";
import { createStoredBlobRepository, type Database } from "../../store/index.js";
import { evalRunRequestSchema } from "../runs/eval-run-request.js";
import { loadRunPlan } from "../runs/run-plan.js";
import { getBuiltInTask } from "../tasks/built-in-tasks.js";

const datasetSchema = z.object({
  /** Dataset file (MMLU: folder of test CSVs). */
  path: z.string().min(1),
  /** MMLU dev folder / GSM8K train file. */
  fewShotPath: z.string().min(1).optional(),
});

/** A task's configured dataset: where its files came from (they are kept in the database). */
export type ConfiguredDataset = z.output<typeof datasetSchema>;

/** Which stored files a run reads (content-addressed, so a run resumed later reads the very files it started with). */
export const storedDatasetSchema = z.object({
  digest: z.string().min(1),
  /** The data's name among the files (`data/<file or folder name>`). */
  dataName: z.string().min(1),
  /** The few-shot file's or folder's name among them, when it was configured. */
  fewShotName: z.string().min(1).optional(),
});

export type StoredDataset = z.output<typeof storedDatasetSchema>;

/** A configured dataset with the stored files a run reads. */
export type ConfiguredStoredDataset = ConfiguredDataset & { stored: StoredDataset };

/** Largest configured dataset (all its files together): 512 MiB. */
export const maxEvalDatasetBytes = 512 << 20;

/** Most files in a configured dataset (MMLU has 57 subjects × 2 folders). */
const maxEvalDatasetFiles = 5000;

/** Where the datasets of built-in tasks were configured by earlier versions: `$AIPLUS_HOME/eval-datasets.json`. */
export function evalDatasetsFile(home: string): string {
  return path.join(home, "eval-datasets.json");
}

/** What {@link EvalDatasets} works with. */
export type EvalDatasetsOptions = {
  /** The main database: datasets are kept there (`eval_datasets`, `eval_dataset_files`), so every instance sees them. */
  database: Database;
  /** The instance's state folder: a legacy `eval-datasets.json` is imported once; stored files are unpacked under `cache/`. */
  home: string;
  now?: (() => number) | undefined;
};

/**
 * The datasets of built-in tasks, configured once (`aiplus eval dataset`) and kept in the database: the files' content
 * (the data, the few-shot file, and the sibling the task would read by default: GSM8K's `train.jsonl`, MMLU's `dev`
 * folder), content-addressed, with the paths they came from. A run reads them from an instance-local cache unpacked
 * from the database, so a run may be created and executed on any instance.
 */
export class EvalDatasets {
  private readonly blobs: ReturnType<typeof createStoredBlobRepository>;
  private imported: Promise<void> | undefined;

  constructor(private readonly options: EvalDatasetsOptions) {
    this.blobs = createStoredBlobRepository(options.database);
  }

  /** The configured dataset of every task that has one. */
  async list(): Promise<Record<string, ConfiguredDataset>> {
    await this.importLegacyFile();
    const rows = await this.options.database.db.selectFrom("eval_datasets").select(["task", "path", "few_shot_path"]).orderBy("task").execute();
    return Object.fromEntries(rows.map((row) => [row.task, toConfigured(row)]));
  }

  /** A task's configured dataset with its stored files, or undefined. */
  async get(task: string): Promise<ConfiguredStoredDataset | undefined> {
    await this.importLegacyFile();
    const row = await this.options.database.db.selectFrom("eval_datasets").selectAll().where("task", "=", task).executeTakeFirst();
    if (!row) return undefined;
    return { ...toConfigured(row), stored: { digest: row.digest, dataName: row.data_name, fewShotName: row.few_shot_name ?? undefined } };
  }

  /**
   * Configures the dataset a built-in task uses when a run names none: the files are checked (the task reads them
   * as a run would: a missing file is 404, a malformed one 400) and their content is stored.
   */
  async set(task: string, dataset: ConfiguredDataset): Promise<ConfiguredDataset> {
    getBuiltInTask(task);
    const resolved: ConfiguredDataset = { path: path.resolve(dataset.path) };
    if (dataset.fewShotPath !== undefined) resolved.fewShotPath = path.resolve(dataset.fewShotPath);
    for (const [param, file] of [["data", resolved.path], ["few_shot", resolved.fewShotPath]] as const) {
      if (file !== undefined && !existsSync(file)) throw new NotFoundError({ message: `${file} does not exist`, param });
    }
    await loadRunPlan(evalRunRequestSchema.parse({ task, model: "dataset-check", dataPath: resolved.path, fewShotPath: resolved.fewShotPath }));
    const files = await collectDatasetFiles(task, resolved);
    const digest = digestOf(files.entries);
    await this.storeFiles(digest, files.entries);
    const row = {
      task, path: resolved.path, few_shot_path: resolved.fewShotPath ?? null, digest, data_name: files.dataName,
      few_shot_name: files.fewShotName ?? null, updated_at: (this.options.now ?? Date.now)(),
    };
    await this.options.database.db
      .insertInto("eval_datasets")
      .values(row)
      .onConflict((conflict) => conflict.column("task").doUpdateSet({ path: row.path, few_shot_path: row.few_shot_path, digest, data_name: row.data_name, few_shot_name: row.few_shot_name, updated_at: row.updated_at }))
      .execute();
    return resolved;
  }

  /**
   * Unpacks stored dataset files into this instance's cache (once per content) and returns the paths a run reads.
   * Nothing in the cache is state: it is rebuilt from the database when missing.
   */
  async unpack(stored: StoredDataset): Promise<{ dataPath: string; fewShotPath: string | undefined }> {
    const cache = path.join(this.options.home, "cache", "eval-datasets");
    const folder = path.join(cache, stored.digest);
    if (!existsSync(folder)) {
      const rows = await this.options.database.db.selectFrom("eval_dataset_files").select(["name", "blob_id"]).where("digest", "=", stored.digest).execute();
      if (rows.length === 0) {
        throw new NotFoundError({ message: `the dataset files of this run (${stored.digest.slice(0, 12)}) are no longer stored; configure the dataset again`, param: "data", code: "dataset_required" });
      }
      const partial = path.join(cache, `${stored.digest}.partial-${randomUUID()}`);
      try {
        for (const row of rows) {
          const bytes = await this.blobs.read(row.blob_id);
          if (!bytes) throw new InternalError({ message: `dataset file ${row.name} (${stored.digest.slice(0, 12)}) lost its content` });
          const target = path.join(partial, row.name);
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, bytes);
        }
        await rename(partial, folder).catch((error: NodeJS.ErrnoException) => {
          // Another run of this process unpacked the same content meanwhile: use that copy.
          if (!existsSync(folder)) throw error;
        });
      } finally {
        await rm(partial, { recursive: true, force: true });
      }
    }
    return { dataPath: path.join(folder, stored.dataName), fewShotPath: stored.fewShotName === undefined ? undefined : path.join(folder, stored.fewShotName) };
  }

  /** Stores the files of a content once (a content already stored, e.g. configured for another task, is reused). */
  private async storeFiles(digest: string, entries: DatasetFile[]): Promise<void> {
    const { db } = this.options.database;
    const existing = await db.selectFrom("eval_dataset_files").select((eb) => eb.fn.countAll().as("count")).where("digest", "=", digest).executeTakeFirstOrThrow();
    if (Number(existing.count) === entries.length) return;
    await db.transaction().execute(async (transaction) => {
      const blobs = createStoredBlobRepository({ db: transaction });
      const previous = await transaction.selectFrom("eval_dataset_files").select("blob_id").where("digest", "=", digest).execute();
      await transaction.deleteFrom("eval_dataset_files").where("digest", "=", digest).execute();
      await blobs.remove(previous.map((row) => row.blob_id));
      const at = (this.options.now ?? Date.now)();
      for (const entry of entries) {
        const blobId = randomUUID();
        await blobs.put(blobId, "eval.dataset", entry.bytes, at);
        await transaction.insertInto("eval_dataset_files").values({ digest, name: entry.name, blob_id: blobId }).execute();
      }
    });
  }

  /**
   * Imports the datasets an earlier version configured in `$AIPLUS_HOME/eval-datasets.json` (once; tasks already
   * configured in the database keep theirs), then renames the file to `eval-datasets.json.imported`. An entry whose
   * files are gone is left out (configure it again).
   */
  private importLegacyFile(): Promise<void> {
    this.imported ??= (async () => {
      const file = evalDatasetsFile(this.options.home);
      if (!existsSync(file)) return;
      let value: unknown;
      try {
        value = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        throw new InternalError({ message: `${file} is not valid JSON`, cause: error });
      }
      const parsed = z.record(z.string(), datasetSchema).safeParse(value);
      if (!parsed.success) throw new InternalError({ message: `${file} is malformed: ${parsed.error.issues[0]?.message ?? "invalid"}` });
      const configured = new Set((await this.options.database.db.selectFrom("eval_datasets").select("task").execute()).map((row) => row.task));
      for (const [task, dataset] of Object.entries(parsed.data)) {
        if (configured.has(task) || !existsSync(dataset.path) || (dataset.fewShotPath !== undefined && !existsSync(dataset.fewShotPath))) continue;
        await this.set(task, dataset);
      }
      await rename(file, `${file}.imported`);
    })().catch((error: unknown) => {
      this.imported = undefined;
      throw error;
    });
    return this.imported;
  }
}

function toConfigured(row: { path: string; few_shot_path: string | null }): ConfiguredDataset {
  const dataset: ConfiguredDataset = { path: row.path };
  if (row.few_shot_path !== null) dataset.fewShotPath = row.few_shot_path;
  return dataset;
}

type DatasetFile = { name: string; bytes: Buffer };

/** The files of a dataset, named by their place: `data/…` (with the sibling the task reads by default), `few-shot/…`. */
async function collectDatasetFiles(task: string, dataset: ConfiguredDataset): Promise<{ entries: DatasetFile[]; dataName: string; fewShotName: string | undefined }> {
  const entries: DatasetFile[] = [];
  const budget = { bytes: 0, files: 0 };
  const dataName = `data/${path.basename(dataset.path)}`;
  await collect(dataset.path, dataName, entries, budget);
  let fewShotName: string | undefined;
  if (dataset.fewShotPath !== undefined) {
    fewShotName = `few-shot/${path.basename(dataset.fewShotPath)}`;
    await collect(dataset.fewShotPath, fewShotName, entries, budget);
  } else {
    const sibling = defaultSiblingOf(task, dataset.path);
    if (sibling !== undefined && path.basename(sibling) !== path.basename(dataset.path) && existsSync(sibling)) {
      await collect(sibling, `data/${path.basename(sibling)}`, entries, budget);
    }
  }
  entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  return { entries, dataName, fewShotName };
}

/** What a task reads beside its data when no few-shot file is given (see built-in-tasks.ts, generative-run-items.ts). */
function defaultSiblingOf(task: string, dataPath: string): string | undefined {
  switch (task) {
    case "gsm8k":
      return path.join(path.dirname(dataPath), "train.jsonl");
    case "mmlu":
      return path.join(path.dirname(dataPath), "dev");
    default:
      return undefined;
  }
}

async function collect(source: string, name: string, entries: DatasetFile[], budget: { bytes: number; files: number }): Promise<void> {
  const info = await stat(source);
  if (info.isDirectory()) {
    for (const entry of (await readdir(source, { withFileTypes: true })).sort((left, right) => (left.name < right.name ? -1 : 1))) {
      if (entry.isDirectory() || entry.isFile()) await collect(path.join(source, entry.name), `${name}/${entry.name}`, entries, budget);
    }
    return;
  }
  budget.bytes += info.size;
  budget.files += 1;
  if (budget.bytes > maxEvalDatasetBytes || budget.files > maxEvalDatasetFiles) {
    throw new InvalidRequestError({
      message: `the dataset at ${source} is too large to configure: at most ${maxEvalDatasetFiles} files and ${maxEvalDatasetBytes} bytes together`, param: "data", code: "dataset_too_large",
    });
  }
  entries.push({ name, bytes: await readFile(source) });
}

/** Content address of a dataset: its files' names and bytes. */
function digestOf(entries: DatasetFile[]): string {
  const hash = createHash("sha256");
  for (const entry of entries) {
    hash.update(`${entry.name}\0${entry.bytes.byteLength}\0`);
    hash.update(entry.bytes);
  }
  return hash.digest("hex");
}
