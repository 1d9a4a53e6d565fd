import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, oneLineError, runAiplus, temporaryHome } from "../cli/run-aiplus.js";
import { testModelPath } from "../support/test-models.js";
import { datasetPath } from "./support/datasets-path.js";

const home = temporaryHome();
const hellaswag = datasetPath("hellaswag", "hellaswag_val_first200.txt");
const aiplus = (...args: string[]) => runAiplus(args, { home });

type RunView = {
  id: string;
  status: string;
  task: string;
  scoring: string | null;
  progress: { done: number; total: number };
  accuracy: { value: number; interval: [number, number] } | null;
  metrics: { name: string; value: number; interval: [number, number] | null; count: number }[];
};

beforeAll(async () => {
  const added = await aiplus("models", "add", await testModelPath("stories260K.gguf"), "--name", "stories");
  expect(added.code, added.stderr).toBe(0);
}, 60_000);
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus eval", () => {
  const runs: RunView[] = [];

  it("runs hellaswag in-process and prints the metrics (accuracy with its interval) as JSON", async () => {
    for (const scoring of ["llama.cpp", "lm-eval"]) {
      const run = await aiplus("eval", "run", "--task", "hellaswag", "--model", "stories", "--data", hellaswag, "--limit", "6", "--scoring", scoring, "--json");
      expect(run.code, run.stderr).toBe(0);
      const view = jsonOf<RunView>(run);
      expect(view).toMatchObject({ status: "completed", task: "hellaswag", scoring, progress: { done: 6, total: 6 } });
      expect(view.accuracy!.interval[0]).toBeLessThanOrEqual(view.accuracy!.value);
      expect(view.accuracy!.interval[1]).toBeGreaterThanOrEqual(view.accuracy!.value);
      expect(view.metrics.find((metric) => metric.name === "acc")!.count).toBe(6);
      if (scoring === "lm-eval") expect(view.metrics.map((metric) => metric.name)).toContain("acc_norm");
      runs.push(view);
    }
    // in-process runs are in the usage ledger (no key: the local operator)
    const usage = jsonOf<{ model: string; requests: number }[]>(await aiplus("usage", "--by", "model", "--json"));
    expect(usage.find((row) => row.model === "stories")!.requests).toBe(12);
  }, 120_000);

  it("lists, shows, compares and reports runs", async () => {
    const list = jsonOf<RunView[]>(await aiplus("eval", "ls", "--json"));
    expect(list.map((run) => run.id).sort()).toEqual(runs.map((run) => run.id).sort());
    const table = await aiplus("eval", "ls");
    expect(table.stdout).toContain(runs[0]!.id);

    const shown = jsonOf<RunView & { items: { index: number }[] }>(await aiplus("eval", "show", runs[0]!.id, "--items", "2", "--json"));
    expect(shown).toMatchObject({ id: runs[0]!.id, status: "completed" });
    expect(shown.items.map((item) => item.index)).toEqual([0, 1]);
    expect((await aiplus("eval", "show", runs[0]!.id)).stdout).toMatch(/acc \*\s+\d+\.\d\d/);

    const comparison = jsonOf<{ difference: number; count: number; interval: [number, number] }>(await aiplus("eval", "compare", runs[0]!.id, runs[1]!.id, "--json"));
    expect(comparison.count).toBe(6);
    expect(comparison.interval[0]).toBeLessThanOrEqual(comparison.difference);
    expect((await aiplus("eval", "compare", runs[0]!.id, runs[1]!.id)).stdout).toContain("b − a");

    const markdown = await aiplus("eval", "report", ...runs.map((run) => run.id), "--format", "md");
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toContain("hellaswag");
    const htmlFile = path.join(home, "report.html");
    const html = await aiplus("eval", "report", runs[0]!.id, "--format", "html", "--out", htmlFile);
    expect(html.code, html.stderr).toBe(0);
    const page = fs.readFileSync(htmlFile, "utf8");
    expect(page).toContain("<svg");
    expect(page).toContain("stories");
    const json = JSON.parse((await aiplus("eval", "report", runs[1]!.id, "--format", "json")).stdout) as { models: { model: string; tasks: { task: string }[] }[] };
    expect(json.models[0]).toMatchObject({ model: "stories", tasks: [{ task: "hellaswag" }] });
  }, 60_000);

  it("fails with one line and a non-zero exit on bad input", async () => {
    const unknownTask = await aiplus("eval", "run", "--task", "nope", "--model", "stories", "--data", hellaswag);
    expect(unknownTask.code).not.toBe(0);
    expect(oneLineError(unknownTask)).toContain("unknown task");
    const unknownModel = await aiplus("eval", "run", "--task", "hellaswag", "--model", "nope", "--data", hellaswag, "--limit", "2");
    expect(unknownModel.code).not.toBe(0);
    expect(oneLineError(unknownModel)).toContain("nope");
    const wrongFormat = await aiplus("eval", "run", "--task", "hellaswag", "--model", "stories", "--data", datasetPath("gsm8k", "test.first100.jsonl"));
    expect(oneLineError(wrongFormat)).toContain("unsupported dataset format");
    expect(oneLineError(await aiplus("eval", "run", "--task", "hellaswag", "--model", "stories", "--limit", "0"))).toContain("--limit");
    expect(oneLineError(await aiplus("eval", "run", "--task", "gsm8k", "--model", "stories", "--data", datasetPath("gsm8k", "test.first100.jsonl"), "--scoring", "lm-eval", "--limit", "1"))).toContain("scoring");
    expect(oneLineError(await aiplus("eval", "show", "evr_missing"))).toContain("evr_missing");
    expect(oneLineError(await aiplus("eval", "compare", runs[0]!.id, "evr_missing"))).toContain("evr_missing");
    expect(oneLineError(await aiplus("eval", "resume", runs[0]!.id))).toContain("already completed");
    expect(jsonOf<RunView[]>(await aiplus("eval", "ls", "--task", "hellaswag", "--json"))).toHaveLength(2);
  }, 120_000);
});
