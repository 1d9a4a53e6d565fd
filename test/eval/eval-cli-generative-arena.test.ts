import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, oneLineError, runAiplus, temporaryHome } from "../cli/run-aiplus.js";
import { testModelPath } from "../support/test-models.js";
import { datasetPath } from "./support/datasets-path.js";

const home = temporaryHome();
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
  expect((await aiplus("eval", "tasks")).code).toBe(0); // the first platform start prints the generated admin key
}, 60_000);
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus eval on generative tasks", () => {
  it("runs gsm8k (generative, 5-shot) and humaneval (sandboxed pass@1) from configured datasets", async () => {
    expect(oneLineError(await aiplus("eval", "run", "--task", "gsm8k", "--model", "stories", "--limit", "2"))).toContain("no dataset is configured");
    const configured = await aiplus("eval", "dataset", "gsm8k", datasetPath("gsm8k", "test.first100.jsonl"), "--json");
    expect(configured.code, configured.stderr).toBe(0);
    expect(jsonOf(configured)).toEqual({ task: "gsm8k", path: datasetPath("gsm8k", "test.first100.jsonl"), few_shot_path: null });
    const tasks = jsonOf<{ name: string; primary_metric: string; dataset_configured: boolean; dataset: { path: string; few_shot_path: string | null } | null }[]>(await aiplus("eval", "tasks", "--json"));
    expect(tasks.find((task) => task.name === "gsm8k")).toMatchObject({
      primary_metric: expect.any(String),
      dataset_configured: true,
      dataset: { path: datasetPath("gsm8k", "test.first100.jsonl"), few_shot_path: null },
    });

    const gsm8k = jsonOf<RunView>(await aiplus("eval", "run", "--task", "gsm8k", "--model", "stories", "--limit", "2", "--json"));
    expect(gsm8k).toMatchObject({ status: "completed", scoring: null, progress: { done: 2, total: 2 } });
    expect(gsm8k.metrics.map((metric) => metric.name).sort()).toEqual(["exact_match,flexible-extract", "exact_match,strict-match"]);
    expect(gsm8k.accuracy!.value).toBe(0); // a 260K-parameter story model does no arithmetic
    const item = jsonOf<{ items: { prompt: string; details: { response: string; shotIndices: number[] } }[] }>(await aiplus("eval", "show", gsm8k.id, "--items", "1", "--json")).items[0]!;
    expect(item.details.shotIndices).toHaveLength(5);
    expect(item.prompt.split("Question:")).toHaveLength(7); // 5 shots + the question

    const humaneval = jsonOf<RunView>(await aiplus("eval", "run", "--task", "humaneval", "--model", "stories", "--data", datasetPath("humaneval", "HumanEval.first20.jsonl"), "--limit", "1", "--json"));
    expect(humaneval).toMatchObject({ status: "completed", progress: { done: 1, total: 1 } });
    expect(humaneval.metrics.map((metric) => metric.name)).toEqual(["pass@1"]);
  }, 180_000);

});

describe("aiplus arena", () => {
  it("imports a battle log, prints the leaderboard as JSON, and exports it", async () => {
    const imported = await aiplus("arena", "import", datasetPath("arena", "synthetic_battles_seed1.json"), "--json");
    expect(imported.code, imported.stderr).toBe(0);
    expect(jsonOf(imported)).toEqual({ object: "arena.import", imported: 1893, skipped: 107, duplicates: 0 });
    // Importing the same log again adds nothing: battle identity comes from the log.
    const again = await aiplus("arena", "import", datasetPath("arena", "synthetic_battles_seed1.json"));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("imported 0 battles (1893 already imported; 107 named, non-anonymous battles skipped: they are not rated)\n");
    const expected = JSON.parse(fs.readFileSync(datasetPath("arena", "synthetic_battles_seed1.expected.json"), "utf8")) as { bradley_terry_mle: { ratings_exact_newton: Record<string, number> } };
    // The same view as GET /v1/arena/leaderboard.
    const board = jsonOf<{ object: string; battles: number; data: { model: string; rating: number; interval: [number, number]; rank: number; elo: number }[] }>(
      await aiplus("arena", "leaderboard", "--rounds", "10", "--json"),
    );
    expect(board).toMatchObject({ object: "arena.leaderboard", category: null, battles: 1893 });
    expect(board.data.map((entry) => entry.model)).toEqual(Object.keys(expected.bradley_terry_mle.ratings_exact_newton));
    for (const entry of board.data) {
      expect(entry.rating).toBeCloseTo(expected.bradley_terry_mle.ratings_exact_newton[entry.model]!, 2);
      expect(entry.interval[0]).toBeLessThanOrEqual(entry.rating);
      expect(entry.interval[1]).toBeGreaterThanOrEqual(entry.rating);
    }
    expect((await aiplus("arena", "leaderboard", "--rounds", "10")).stdout).toContain("model-alpha");

    const file = path.join(home, "battles.json");
    const exported = await aiplus("arena", "export", "--out", file);
    expect(exported.code, exported.stderr).toBe(0);
    expect((JSON.parse(fs.readFileSync(file, "utf8")) as unknown[]).length).toBe(1893);
    expect(oneLineError(await aiplus("arena", "import", path.join(home, "missing.json")))).toContain("missing.json");
    fs.writeFileSync(path.join(home, "bad.json"), '[{"model_a": "x", "model_b": "x", "winner": "model_a"}]');
    expect(oneLineError(await aiplus("arena", "import", path.join(home, "bad.json")))).toContain("differ");
  }, 60_000);
});
