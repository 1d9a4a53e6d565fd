import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, oneLineError, runAiplus, temporaryHome } from "../cli/run-aiplus.js";
import { testModelPath } from "../support/test-models.js";
import { datasetPath } from "./support/datasets-path.js";

const home = temporaryHome();
const aiplus = (...args: string[]) => runAiplus(args, { home });
const taskFolder = path.join(home, "tasks");

type RunView = {
  id: string;
  status: string;
  task: string;
  custom_task: boolean;
  judge_model: string | null;
  primary_metric: string;
  tags: { dimension: string; capabilities: string[] };
  progress: { done: number; total: number };
  accuracy: { value: number; interval: [number, number] } | null;
  metrics: { name: string; value: number; interval: [number, number] | null; count: number }[];
};

beforeAll(async () => {
  const added = await aiplus("models", "add", await testModelPath("stories260K.gguf"), "--name", "stories");
  expect(added.code, added.stderr).toBe(0);
  expect((await aiplus("eval", "tasks")).code).toBe(0); // the first platform start prints the generated admin key
  fs.mkdirSync(taskFolder);
  fs.writeFileSync(path.join(taskFolder, "animals.csv"), "animal,sound,other\ncat,meow,woof\ndog,woof,meow\ncow,moo,quack\nduck,quack,moo\n");
  fs.writeFileSync(
    path.join(taskFolder, "animals.yaml"),
    [
      "name: animal-sounds",
      "dataset: { path: animals.csv }",
      "prompt: { template: 'The {{animal}} says' }",
      "scorer: { type: loglikelihood-multiple-choice, choices: ['{{sound}}', '{{other}}'], gold: '0' }",
      "tags: { dimension: general, capabilities: [language] }",
    ].join("\n"),
  );
  fs.writeFileSync(
    path.join(taskFolder, "echo.json"),
    JSON.stringify({
      name: "echo",
      dataset: { records: [{ word: "cat" }, { word: "dog" }] },
      prompt: { template: "Say {{word}}:" },
      generation: { maxTokens: 6, stop: ["\n"] },
      scorer: { type: "exact-match", target: "{{word}}", ignoreCase: true },
      tags: { dimension: "application", capabilities: ["instruction-following"] },
    }),
  );
}, 60_000);
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus eval run with custom and safety tasks", () => {
  it("runs a YAML and a JSON task definition from a path given to --task", async () => {
    const run = await aiplus("eval", "run", "--task", path.join(taskFolder, "animals.yaml"), "--model", "stories", "--limit", "3", "--json");
    expect(run.code, run.stderr).toBe(0);
    const view = jsonOf<RunView>(run);
    expect(view).toMatchObject({ status: "completed", task: "animal-sounds", custom_task: true, primary_metric: "acc", progress: { done: 3, total: 3 }, tags: { dimension: "general", capabilities: ["language"] } });
    expect(view.accuracy!.interval[0]).toBeLessThanOrEqual(view.accuracy!.value);
    // the same definition again: the same accuracy (deterministic scoring)
    expect(jsonOf<RunView>(await aiplus("eval", "run", "--task", path.join(taskFolder, "animals.yaml"), "--model", "stories", "--limit", "3", "--json")).accuracy).toEqual(view.accuracy);

    const echo = jsonOf<RunView>(await aiplus("eval", "run", "--task", path.join(taskFolder, "echo.json"), "--model", "stories", "--json"));
    expect(echo).toMatchObject({ status: "completed", task: "echo", primary_metric: "exact_match", progress: { done: 2, total: 2 } });
    expect(echo.metrics.map((metric) => metric.name)).toEqual(["exact_match"]);

    const listed = await aiplus("eval", "ls");
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain("animal-sounds");
    const report = await aiplus("eval", "report", view.id, echo.id, "--format", "md");
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain("animal-sounds");
    expect(report.stdout).toContain("instruction-following");
  }, 120_000);

  it("runs do_not_answer rules-only and with --judge-model, printing harmful and refusal rates with intervals", async () => {
    const data = datasetPath("do-not-answer", "data_en.first100.csv");
    const rules = jsonOf<RunView>(await aiplus("eval", "run", "--task", "do_not_answer", "--model", "stories", "--data", data, "--limit", "2", "--json"));
    expect(rules).toMatchObject({ status: "completed", judge_model: null, primary_metric: "harmless_rate", progress: { done: 2, total: 2 } });
    const harmful = rules.metrics.find((metric) => metric.name === "harmful_rate")!;
    expect(harmful.count).toBe(2);
    expect(harmful.interval).not.toBeNull();
    const judged = await aiplus("eval", "run", "--task", "do_not_answer", "--model", "stories", "--judge-model", "stories", "--data", data, "--limit", "1");
    expect(judged.code, judged.stderr).toBe(0);
    expect(judged.stdout).toMatch(/refusal_rate\s+\d+\.\d\d/);
    expect(judged.stdout).toContain("action_agreement");
  }, 180_000);

  it("fails with one clear line on an unknown task file, an invalid definition and a missing judge model", async () => {
    const missing = await aiplus("eval", "run", "--task", path.join(taskFolder, "missing.yaml"), "--model", "stories");
    expect(missing.code).not.toBe(0);
    expect(oneLineError(missing)).toContain("missing.yaml");
    fs.writeFileSync(path.join(taskFolder, "invalid.yaml"), "name: invalid\ndataset: { path: animals.csv }\nprompt: { template: x }\nscorer: { type: magic }\ntags: { dimension: general }\n");
    const invalid = oneLineError(await aiplus("eval", "run", "--task", path.join(taskFolder, "invalid.yaml"), "--model", "stories"));
    expect(invalid).toContain("invalid.yaml is not a valid task definition");
    expect(invalid).toContain("scorer.type");
    fs.writeFileSync(path.join(taskFolder, "broken.json"), '{"name": ');
    expect(oneLineError(await aiplus("eval", "run", "--task", path.join(taskFolder, "broken.json"), "--model", "stories"))).toContain("invalid JSON");
    const noJudge = await aiplus("eval", "run", "--task", "do_not_answer", "--model", "stories", "--judge-model", "nope", "--data", datasetPath("do-not-answer", "data_en.first100.csv"), "--limit", "1");
    expect(noJudge.code).not.toBe(0);
    expect(oneLineError(noJudge)).toContain("nope");
    expect(jsonOf<RunView[]>(await aiplus("eval", "ls", "--task", "do_not_answer", "--json"))).toHaveLength(2); // nothing stored by the failures
  }, 120_000);
});
