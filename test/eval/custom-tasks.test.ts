import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildCustomMultipleChoiceItems,
  buildCustomPrompts,
  buildJudgePrompt,
  evaluateMultipleChoiceItem,
  loadCustomTask,
  parseCustomTask,
  parseJudgeScore,
  renderTemplate,
  scoreCustomExactMatch,
} from "../../src/eval/index.js";
import { InvalidRequestError, NotFoundError } from "../../src/spec/index.js";
import { ToyBackend } from "./support/toy-backend.js";

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), "aiplus-custom-task-"));
  await writeFile(
    path.join(folder, "capitals.jsonl"),
    ['{"country": "France", "choices": ["Paris", "Rome"], "gold": 0}', '{"country": "Italy", "choices": ["Paris", "Rome"], "gold": 1}', '{"country": "Peru", "choices": ["Lima", "Quito"], "gold": "Lima"}'].join("\n"),
  );
  await writeFile(
    path.join(folder, "capitals.yaml"),
    [
      "name: capitals",
      "dataset: { path: capitals.jsonl }",
      "prompt:",
      '  template: "Capital of {{country}}:"',
      "fewShot: { count: 1, sampler: first_n }",
      "scorer:",
      "  type: loglikelihood-multiple-choice",
      "  choices: choices",
      '  gold: "{{gold}}"',
      "tags: { dimension: industry, capabilities: [knowledge] }",
    ].join("\n"),
  );
  await writeFile(path.join(folder, "sums.csv"), 'question,answer\n"What is 2+2?",4\n"What is 10*10?","1,000"\n');
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("custom tasks", () => {
  it("loads a YAML multiple-choice task, renders few-shot prompts and scores items under both conventions", async () => {
    const { definition, documents } = await loadCustomTask(path.join(folder, "capitals.yaml"));
    expect(definition.tags).toEqual({ dimension: "industry", capabilities: ["knowledge"] });
    const prompts = buildCustomPrompts(definition, documents);
    // first_n from the same dataset: the document itself is excluded.
    expect(prompts.map((prompt) => prompt.prompt)).toEqual([
      "Capital of Italy: Rome\n\nCapital of France:",
      "Capital of France: Paris\n\nCapital of Italy:",
      "Capital of France: Paris\n\nCapital of Peru:",
    ]);
    const items = buildCustomMultipleChoiceItems(definition, prompts);
    expect(items.map((item) => item.goldIndex)).toEqual([0, 1, 0]);
    const backend = new ToyBackend({ table: { " |P": -0.1, " |R": -3 } });
    const record = await evaluateMultipleChoiceItem(backend, items[0]!, { convention: "lm-eval" });
    expect(record.metrics.acc).toBe(1);
    const llama = await evaluateMultipleChoiceItem(backend, items[1]!, { convention: "llama.cpp" });
    expect(llama.prediction).toBe(0);
  });

  it("draws random few-shot examples with the seeded CPython sampler", () => {
    const definition = parseCustomTask(
      JSON.stringify({
        name: "sums",
        dataset: { path: "sums.csv" },
        prompt: { template: "Q: {{question}}\nA:" },
        fewShot: { count: 2, seed: 3 },
        scorer: { type: "exact-match", target: "{{answer}}", extract: { regex: "(-?[0-9.,]+)", group: -1 }, regexesToIgnore: [","] },
        tags: { dimension: "general", capabilities: ["math"] },
      }),
    );
    const documents = Array.from({ length: 6 }, (_, index) => ({ question: `${index}+${index}`, answer: String(2 * index) }));
    const first = buildCustomPrompts(definition, documents);
    expect(first).toEqual(buildCustomPrompts(definition, documents));
    for (const [index, prompt] of first.entries()) {
      expect(prompt.prompt.split("\n\n")).toHaveLength(3);
      expect(prompt.prompt.endsWith(`Q: ${index}+${index}\nA:`)).toBe(true);
      expect(prompt.prompt.split("\n\n").slice(0, 2).some((shot) => shot.startsWith(`Q: ${index}+${index}\n`))).toBe(false);
    }
    expect(scoreCustomExactMatch(definition, "So the total is 1,000.", { answer: "1000" })).toEqual({ extracted: "1,000.", reference: "1000", score: 0 });
    expect(scoreCustomExactMatch(definition, "So the total is 1,000", { answer: "1000" }).score).toBe(1);
  });

  it("validates definitions and templates with clear errors", async () => {
    expect(() => parseCustomTask("name: x\nscorer: { type: magic }")).toThrow(InvalidRequestError);
    expect(() => parseCustomTask("name: [unclosed")).toThrow(/invalid YAML/);
    expect(() => renderTemplate("{{missing}}", { present: 1 })).toThrow(/missing/);
    expect(renderTemplate("{{a.b[1]}} {{ n }}", { a: { b: ["x", "y"] }, n: 3 })).toBe("y 3");
    await expect(loadCustomTask(path.join(folder, "absent.yaml"))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("builds an LLM-judge prompt and parses the judge's score within the scale", () => {
    const prompt = buildJudgePrompt({ rubric: "Mentions Paris.", question: "Capital of France?", response: "Paris.", reference: "Paris", scale: { min: 1, max: 10 } });
    expect(prompt).toContain("[Rubric]\nMentions Paris.");
    expect(prompt).toContain("[Reference answer]\nParis");
    expect(parseJudgeScore("Good answer.\nScore: 9", { min: 1, max: 10 })).toBe(9);
    expect(parseJudgeScore("Score: 3 ... revised <score>8</score>", { min: 1, max: 10 })).toBe(8);
    expect(parseJudgeScore("Score: 11", { min: 1, max: 10 })).toBeUndefined();
    expect(parseJudgeScore("no verdict", { min: 1, max: 10 })).toBeUndefined();
  });
});
