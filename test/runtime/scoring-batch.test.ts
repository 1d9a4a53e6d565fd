import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, type PromptScorer, type RegisteredModel, type Runtime } from "../../src/runtime/index.js";
import type { TokenLogprob } from "../../src/spec/index.js";
import { datasetPath } from "../eval/support/datasets-path.js";
import { collect, registeredTestModel } from "./runtime-fixtures.js";

// Several prompt-scoring calls in flight decode together on several sequences of one context (ScoringStepBatch).
// Multi-sequence batches once returned log-probabilities off by tens of nats (a race inside llama.cpp's lazy output
// reordering); the batch's ordering must make concurrent results exactly those of one-at-a-time scoring.
let runtime: Runtime;
let stories: RegisteredModel;
let scorer: PromptScorer;
let items: number[][][];

function commonPrefixLength(sequences: readonly (readonly number[])[]): number {
  const first = sequences[0]!;
  let length = Math.min(...sequences.map((sequence) => sequence.length)) - 1;
  for (const sequence of sequences) {
    let index = 0;
    while (index < length && sequence[index] === first[index]) index++;
    length = index;
  }
  return length;
}

beforeAll(async () => {
  runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 4, idleUnloadSeconds: 0 });
  stories = await registeredTestModel("stories260K.gguf");
  scorer = runtime.promptScorer!(stories);
  // llama.cpp's HellaSwag file: 6 lines per task (context, gold index, four endings); candidate lengths vary
  const lines = (await readFile(datasetPath("hellaswag", "hellaswag_val_first200.txt"), "utf8")).split("\n");
  items = [];
  for (let line = 0; items.length < 24; line += 6) {
    const context = lines[line]!;
    items.push(await Promise.all(lines.slice(line + 2, line + 6).map((ending) => scorer.tokenize(`${context} ${ending}`, { addBos: true }))));
  }
});
afterAll(async () => {
  await runtime.dispose();
});

const score = (candidates: number[][]) => {
  const from = commonPrefixLength(candidates);
  return scorer.scoreTokens(candidates.map((tokens) => ({ tokens, from })));
};

/** Runs `work` over `inputs` with `concurrency` calls in flight, keeping input order. */
async function pooled<T, R>(inputs: readonly T[], concurrency: number, work: (input: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < inputs.length; index = next++) results[index] = await work(inputs[index]!);
    }),
  );
  return results;
}

describe("prompt scoring with several calls in flight", () => {
  it("gives bit-for-bit the log-probabilities of one-at-a-time scoring", async () => {
    const alone: number[][][] = [];
    for (const candidates of items) alone.push(await score(candidates));
    expect(alone.flat(2).every((value) => Number.isFinite(value) && value < 0)).toBe(true);
    for (const concurrency of [4, 3, 4]) {
      expect(await pooled(items, concurrency, score)).toEqual(alone);
    }
    // more calls than sequences: the rest queue and join later steps
    expect(await Promise.all(items.slice(0, 10).map(score))).toEqual(alone.slice(0, 10));
  });

  it("keeps concurrent echo requests and scoring calls exact, and rejects a bad call without disturbing the others", async () => {
    const model = runtime.languageModel(stories);
    const texts = [
      "Once upon a time, there was a little girl named Lily. She loved to play outside.",
      "One day, a big dog came to the park.",
      "Tom had a red ball. He threw it high in the sky and it did not come back down for a long time.",
    ];
    const echo = async (text: string): Promise<(TokenLogprob | null)[]> => {
      const result = await collect((await model.doStream({ prompt: { type: "text", text, echo: true }, sampling: { temperature: 0, maxTokens: 0 }, logprobs: { topLogprobs: 0 } })).stream);
      const part = result.parts.find((candidate) => candidate.type === "prompt-echo");
      if (part?.type !== "prompt-echo" || !part.logprobs) throw new Error("no prompt echo");
      return part.logprobs;
    };
    const echoAlone: (TokenLogprob | null)[][] = [];
    for (const text of texts) echoAlone.push(await echo(text));
    const scoreAlone = [await score(items[0]!), await score(items[1]!)];
    const [echoes, scores, bad] = await Promise.all([
      Promise.all(texts.map(echo)),
      Promise.all([score(items[0]!), score(items[1]!)]),
      scorer.scoreTokens([{ tokens: [1, 999_999], from: 1 }]).catch((error: unknown) => error),
    ]);
    expect(echoes).toEqual(echoAlone);
    expect(scores).toEqual(scoreAlone);
    expect(bad).toBeInstanceOf(Error);
    expect(await score(items[2]!)).toEqual((await pooled([items[2]!], 1, score))[0]);
  });
});
