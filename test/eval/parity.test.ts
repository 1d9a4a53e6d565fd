import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLocalLoglikelihoodBackend,
  evaluateMultipleChoiceItem,
  getBuiltInTask,
  llamaCppHellaswagOrder,
  parseLlamaPerplexityHellaswag,
  parseLlamaPerplexityMultipleChoice,
  parseLlamaPerplexityWinogrande,
  type LoglikelihoodBackend,
  type MultipleChoiceRecord,
} from "../../src/eval/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { datasetPath } from "./support/datasets-path.js";
import { createTestRuntime, registeredEvalModel } from "./support/local-backend.js";

// The acceptance criterion: our `llama.cpp` convention on stories260K agrees per item with the recorded
// llama-perplexity outputs (../shared/datasets/llamacpp-reference, commands in its README) on ≥ 99.5% of items,
// and accuracy matches to 0.1 points.
let runtime: Runtime;
let backend: LoglikelihoodBackend;

beforeAll(async () => {
  runtime = createTestRuntime();
  backend = createLocalLoglikelihoodBackend(runtime, await registeredEvalModel("stories260K.gguf"));
});
afterAll(async () => {
  await runtime.dispose();
});

const reference = (file: string) => readFile(datasetPath("llamacpp-reference", file), "utf8");

async function score(task: string, file: string): Promise<MultipleChoiceRecord[]> {
  const definition = getBuiltInTask(task);
  if (definition.kind !== "loglikelihood") throw new Error(`${task} is not a log-likelihood task`);
  const items = await definition.loadItems({ path: file });
  const records: MultipleChoiceRecord[] = [];
  for (const item of items) records.push(await evaluateMultipleChoiceItem(backend, item, { convention: "llama.cpp" }));
  return records;
}

function summary(ours: readonly boolean[], theirs: readonly boolean[]) {
  const agreement = ours.filter((correct, index) => correct === theirs[index]).length / theirs.length;
  const accuracy = (values: readonly boolean[]) => (100 * values.filter(Boolean).length) / values.length;
  return { agreement, ourAccuracy: accuracy(ours), referenceAccuracy: accuracy(theirs) };
}

describe("parity with llama-perplexity (stories260K, 1 thread)", () => {
  it("HellaSwag, 200 tasks (24.00%)", async () => {
    const records = await score("hellaswag", datasetPath("hellaswag", "hellaswag_val_first200.txt"));
    const correct = parseLlamaPerplexityHellaswag(await reference("stories260K.hellaswag.first200.out"), llamaCppHellaswagOrder(200));
    const result = summary(records.map((record) => record.metrics.acc === 1), records.map((_, index) => correct.get(index)!));
    expect(result.agreement).toBeGreaterThanOrEqual(0.995);
    expect(result.referenceAccuracy).toBe(24);
    expect(Math.abs(result.ourAccuracy - result.referenceAccuracy)).toBeLessThanOrEqual(0.1);
  });

  it("WinoGrande, 200 tasks (48.50%): predictions and scores per item", async () => {
    const records = await score("winogrande", datasetPath("winogrande", "winogrande-debiased-eval.first200.csv"));
    const lines = parseLlamaPerplexityWinogrande(await reference("stories260K.winogrande.first200.out"));
    expect(records).toHaveLength(lines.length);
    const predictionsAgree = records.filter((record, index) => record.prediction + 1 === lines[index]!.predicted).length / lines.length;
    expect(predictionsAgree).toBeGreaterThanOrEqual(0.995);
    const result = summary(records.map((record) => record.metrics.acc === 1), lines.map((line) => line.predicted === line.gold));
    expect(result.referenceAccuracy).toBe(48.5);
    expect(Math.abs(result.ourAccuracy - result.referenceAccuracy)).toBeLessThanOrEqual(0.1);
    // each option's mean log-probability (printed with 6 decimals) agrees up to batch-composition noise
    const distance = (record: MultipleChoiceRecord, index: number) => Math.max(...record.scores.map((value, option) => Math.abs(value - lines[index]!.scores[option]!)));
    expect(Math.max(...records.map(distance))).toBeLessThan(0.01);
  });

  it.each([
    ["arc_challenge", "arc-challenge-test.first200.derived.bin", "stories260K.arc-mc.first200.out", 22.5],
    ["truthfulqa_mc1", "truthfulqa-mc.first100.derived.bin", "stories260K.truthfulqa-mc.first100.out", 31],
  ] as const)("--multiple-choice %s (%s)", async (task, file, out, accuracy) => {
    const records = await score(task, datasetPath("llamacpp-mc", file));
    const theirs = parseLlamaPerplexityMultipleChoice(await reference(out));
    const result = summary(records.map((record) => record.metrics.acc === 1), theirs);
    expect(result.agreement).toBeGreaterThanOrEqual(0.995);
    expect(result.referenceAccuracy).toBe(accuracy);
    expect(Math.abs(result.ourAccuracy - result.referenceAccuracy)).toBeLessThanOrEqual(0.1);
  });
});
