import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  llamaCppHellaswagOrder,
  llamaCppRandomSelection,
  MersenneTwister,
  parseLlamaPerplexityHellaswag,
  parseLlamaPerplexityMultipleChoice,
  parseLlamaPerplexityWinogrande,
} from "../../src/eval/index.js";
import { datasetPath } from "./support/datasets-path.js";

const reference = (file: string) => readFile(datasetPath("llamacpp-reference", file), "utf8");

describe("llama-perplexity task order", () => {
  it("matches std::mt19937(1)'s first outputs", () => {
    const twister = MersenneTwister.fromSeed(1);
    expect([twister.nextUint32(), twister.nextUint32()]).toEqual([1791095845, 4282876139]);
  });

  it("reproduces the HellaSwag visit order of g++ 12 / libstdc++ for 200 tasks", () => {
    // printed by a C++17 program: mt19937 rng(1); uniform_int_distribution<size_t>(0, n-1) per pick; erase
    const order = llamaCppHellaswagOrder(200);
    expect(order.slice(0, 12)).toEqual([83, 199, 143, 185, 0, 25, 60, 198, 30, 48, 18, 80]);
    expect(order.slice(-6)).toEqual([93, 32, 6, 166, 96, 46]);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, index) => index));
  });

  it("reproduces the float-based WinoGrande / multiple-choice selection", () => {
    expect(llamaCppRandomSelection(1267, 10)).toEqual([528, 1262, 911, 1178, 0, 161, 381, 1258, 184, 296]);
  });
});

describe("recorded llama-perplexity outputs (stories260K)", () => {
  it("turns HellaSwag cumulative lines into per-task correctness (24.00%)", async () => {
    const correct = parseLlamaPerplexityHellaswag(await reference("stories260K.hellaswag.first200.out"), llamaCppHellaswagOrder(200));
    expect(correct.size).toBe(200);
    expect([...correct.values()].filter(Boolean).length).toBe(48);
    expect(correct.get(83)).toBe(true); // the first visited task: line "1  100.00000000%"
  });

  it("reads WinoGrande per-item scores (48.50%) and multiple-choice correctness (22.50%, 31.00%)", async () => {
    const winogrande = parseLlamaPerplexityWinogrande(await reference("stories260K.winogrande.first200.out"));
    expect(winogrande).toHaveLength(200);
    expect(winogrande[0]).toEqual({ task: 1, scores: [-2.388111, -2.402142], predicted: 1, gold: 2 });
    expect(winogrande.every((line) => line.predicted === (line.scores[0] > line.scores[1] ? 1 : 2))).toBe(true);
    expect(winogrande.filter((line) => line.predicted === line.gold).length / 200).toBe(0.485);
    const arc = parseLlamaPerplexityMultipleChoice(await reference("stories260K.arc-mc.first200.out"));
    expect(arc.filter(Boolean).length / arc.length).toBe(0.225);
    const truthfulqa = parseLlamaPerplexityMultipleChoice(await reference("stories260K.truthfulqa-mc.first100.out"));
    expect([truthfulqa.length, truthfulqa.filter(Boolean).length]).toEqual([100, 31]);
  });
});
