import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EvalDatasets, evalDatasetsFile, evalRunRequestSchema, loadRunPlan, type RunPlan } from "../../src/eval/index.js";
import { type TestDatabase, testDatabaseFactories } from "../store/test-databases.js";
import { datasetPath } from "./support/datasets-path.js";

/** Item ids and prompts of a run plan (what a run reads from its dataset). */
function itemsOf(plan: RunPlan): unknown[] {
  return plan.items.map((item) => JSON.stringify(item, (key, value: unknown) => (typeof value === "function" ? undefined : value)));
}

const planOf = (task: string, dataPath: string, fewShotPath?: string, shots?: number) =>
  loadRunPlan(evalRunRequestSchema.parse({ task, model: "any", dataPath, fewShotPath, shots }));

for (const factory of testDatabaseFactories) {
  describe(`evaluation datasets kept in the database (${factory.dialect})`, () => {
    let database: TestDatabase;
    let folder: string;
    /** A state folder per instance: nothing of a dataset lives there but an unpacked cache. */
    const homeOf = (name: string) => path.join(folder, name);
    const copy = (source: string, target: string) => fs.cpSync(source, path.join(folder, target), { recursive: true });

    beforeEach(async () => {
      database = await factory.open();
      folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-eval-datasets-"));
    }, 60_000);
    afterEach(async () => {
      await database.close();
      fs.rmSync(folder, { recursive: true, force: true });
    });

    it("stores a folder dataset with the sibling its task reads (MMLU's dev) and serves it to another instance after the files are gone", async () => {
      copy(datasetPath("mmlu/data/test_first4"), "mmlu/test_first4");
      copy(datasetPath("mmlu/data/dev"), "mmlu/dev");
      const testFolder = path.join(folder, "mmlu/test_first4");
      const expected = itemsOf(await planOf("mmlu", testFolder, undefined, 5));
      const onA = new EvalDatasets({ database: database.database, home: homeOf("a") });
      expect(await onA.set("mmlu", { path: testFolder })).toEqual({ path: testFolder });
      fs.rmSync(path.join(folder, "mmlu"), { recursive: true });

      const onB = new EvalDatasets({ database: database.database, home: homeOf("b") });
      expect(await onB.list()).toEqual({ mmlu: { path: testFolder } });
      const configured = (await onB.get("mmlu"))!;
      const unpacked = await onB.unpack(configured.stored);
      expect(unpacked.fewShotPath).toBeUndefined();
      expect(unpacked.dataPath.startsWith(path.join(homeOf("b"), "cache", "eval-datasets"))).toBe(true);
      // Five shots from the dev folder beside the test folder, as with the original files.
      expect(itemsOf(await planOf("mmlu", unpacked.dataPath, unpacked.fewShotPath, 5))).toEqual(expected);
      expect(fs.existsSync(homeOf("a"))).toBe(false);
    });

    it("stores an explicit few-shot file; a dataset configured again leaves earlier runs' content readable", async () => {
      copy(datasetPath("gsm8k", "test.first100.jsonl"), "gsm8k/test.jsonl");
      copy(datasetPath("gsm8k", "train.jsonl"), "shots/train-copy.jsonl");
      const testFile = path.join(folder, "gsm8k/test.jsonl");
      const shotsFile = path.join(folder, "shots/train-copy.jsonl");
      const expected = itemsOf(await planOf("gsm8k", testFile, shotsFile));
      const datasets = new EvalDatasets({ database: database.database, home: homeOf("a") });
      expect(await datasets.set("gsm8k", { path: testFile, fewShotPath: shotsFile })).toEqual({ path: testFile, fewShotPath: shotsFile });
      const first = (await datasets.get("gsm8k"))!;
      expect(first).toMatchObject({ path: testFile, fewShotPath: shotsFile, stored: { dataName: "data/test.jsonl", fewShotName: "few-shot/train-copy.jsonl" } });

      // Configured again with other content: the task now reads that; the first content stays for runs that use it.
      fs.writeFileSync(testFile, fs.readFileSync(testFile, "utf8").split("\n").slice(0, 3).join("\n"));
      await datasets.set("gsm8k", { path: testFile, fewShotPath: shotsFile });
      const second = (await datasets.get("gsm8k"))!;
      expect(second.stored.digest).not.toBe(first.stored.digest);
      fs.rmSync(path.join(folder, "gsm8k"), { recursive: true });
      fs.rmSync(path.join(folder, "shots"), { recursive: true });

      const elsewhere = new EvalDatasets({ database: database.database, home: homeOf("b") });
      const firstFiles = await elsewhere.unpack(first.stored);
      expect(itemsOf(await planOf("gsm8k", firstFiles.dataPath, firstFiles.fewShotPath))).toEqual(expected);
      const secondFiles = await elsewhere.unpack(second.stored);
      expect((await planOf("gsm8k", secondFiles.dataPath, secondFiles.fewShotPath)).items).toHaveLength(3);
    });

    it("refuses a missing or corrupt file and an unknown task with clear errors, and keeps the configured dataset", async () => {
      const datasets = new EvalDatasets({ database: database.database, home: homeOf("a") });
      const hellaswag = datasetPath("hellaswag", "hellaswag_val_first200.txt");
      await datasets.set("hellaswag", { path: hellaswag });
      const corrupt = path.join(folder, "corrupt.txt");
      fs.writeFileSync(corrupt, "not\na hellaswag\nfile\n");
      await expect(datasets.set("hellaswag", { path: corrupt })).rejects.toMatchObject({ statusCode: 400, code: "invalid_dataset" });
      await expect(datasets.set("hellaswag", { path: corrupt })).rejects.toThrow(`${corrupt}: number of lines (3) is not a multiple of 6`);
      await expect(datasets.set("hellaswag", { path: path.join(folder, "absent.txt") })).rejects.toMatchObject({ statusCode: 404, param: "data", message: `${path.join(folder, "absent.txt")} does not exist` });
      await expect(datasets.set("gsm8k", { path: datasetPath("gsm8k", "test.first100.jsonl"), fewShotPath: path.join(folder, "no-shots.jsonl") })).rejects.toMatchObject({ statusCode: 404, param: "few_shot" });
      await expect(datasets.set("no_such_task", { path: hellaswag })).rejects.toMatchObject({ statusCode: 404, param: "task" });
      expect(await datasets.list()).toEqual({ hellaswag: { path: hellaswag } });
      // Stored content whose files were removed from the database: the run's error says what to do.
      await database.database.db.deleteFrom("eval_dataset_files").execute();
      await expect(new EvalDatasets({ database: database.database, home: homeOf("b") }).unpack((await datasets.get("hellaswag"))!.stored)).rejects.toMatchObject({
        statusCode: 404, code: "dataset_required", message: expect.stringContaining("configure the dataset again"),
      });
    });

    it("imports the eval-datasets.json of an earlier version once, leaving out entries whose files are gone", async () => {
      const home = homeOf("legacy");
      fs.mkdirSync(home, { recursive: true });
      const hellaswag = datasetPath("hellaswag", "hellaswag_val_first200.txt");
      fs.writeFileSync(evalDatasetsFile(home), JSON.stringify({ hellaswag: { path: hellaswag }, winogrande: { path: path.join(folder, "gone.csv") } }));
      const datasets = new EvalDatasets({ database: database.database, home });
      expect(await datasets.list()).toEqual({ hellaswag: { path: hellaswag } });
      expect(fs.existsSync(evalDatasetsFile(home))).toBe(false);
      expect(fs.existsSync(`${evalDatasetsFile(home)}.imported`)).toBe(true);
      // Another instance (no legacy file) sees the imported dataset.
      expect(await new EvalDatasets({ database: database.database, home: homeOf("other") }).list()).toEqual({ hellaswag: { path: hellaswag } });
    });
  });
}
