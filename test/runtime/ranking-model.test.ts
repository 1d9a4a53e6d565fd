import fs from "node:fs";
import { getLlama, GgufInsights, LlamaLogLevel, readGgufFileInfo, type Llama, type LlamaModel, type LlamaRankingContext } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, inspectGguf, type RegisteredModel, type Runtime } from "../../src/runtime/index.js";
import { ContextOverflowError, InvalidRequestError } from "../../src/spec/index.js";
import { deriveRankingModel, rankingTestModelPath } from "../support/make-ranking-model.js";
import { testModelPath } from "../support/test-models.js";
import { registeredTestModel } from "./runtime-fixtures.js";

const query = "How many vacation days do new staff get?";
const documents = [
  "New staff get 25 vacation days per year.",
  "Travel expenses are reimbursed within 30 days.",
  "Parking permits are issued by facilities.",
  "The quick brown fox jumps over the lazy dog.",
];

let runtime: Runtime;
let ranker: RegisteredModel;
let llama: Llama;
let reference: LlamaModel;
let referenceContext: LlamaRankingContext;

beforeAll(async () => {
  const rankerPath = await rankingTestModelPath();
  ranker = { name: "ranker", path: rankerPath, kind: "embedding", metadata: await inspectGguf(rankerPath) };
  runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 1, idleUnloadSeconds: 0, maxQueue: 4 });
  llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  reference = await llama.loadModel({ modelPath: rankerPath });
  // the runtime sizes an embedding model's context as min(training context, 4096) = 128 here
  referenceContext = await reference.createRankingContext({ contextSize: 128, threads: 1 });
});
afterAll(async () => {
  await runtime?.dispose();
  await referenceContext?.dispose();
  await reference?.dispose();
  await llama?.dispose();
});

describe("the derived tiny reranker GGUF", () => {
  it("keeps every key and tensor of the BERT file, switches to rank pooling and adds a classification head", async () => {
    const sourcePath = await testModelPath("tiny-bert-random.gguf");
    const source = await readGgufFileInfo(sourcePath, { readTensorInfo: true, logWarnings: false });
    const derived = await readGgufFileInfo(ranker.path, { readTensorInfo: true, logWarnings: false });
    expect(ranker.metadata).toMatchObject({ architecture: "bert", kind: "embedding", embeddingLength: 32 });
    const { pooling_type: sourcePooling, ...sourceBert } = (source.metadata as { bert: Record<string, unknown> }).bert;
    const { pooling_type: derivedPooling, ...derivedBert } = (derived.metadata as { bert: Record<string, unknown> }).bert;
    expect([sourcePooling, derivedPooling]).toEqual([1, 4]);
    expect(derivedBert).toEqual(sourceBert);
    expect(derived.metadata.tokenizer).toEqual(source.metadata.tokenizer);
    expect(derived.metadata.general).toEqual(source.metadata.general);
    const shapes = (info: typeof source) => info.fullTensorInfo!.map((tensor) => `${tensor.name}:${tensor.dimensions.join("x")}:${tensor.ggmlType}`);
    expect(shapes(derived)).toEqual([...shapes(source), "cls.weight:32x32:0", "cls.bias:32:0", "cls.output.weight:32x1:0", "cls.output.bias:1:0"]);
    expect((await GgufInsights.from(derived, llama)).supportsRanking).toBe(true);
    expect((await GgufInsights.from(source, llama)).supportsRanking).toBe(false);
    const sourceBytes = fs.readFileSync(sourcePath);
    expect(deriveRankingModel(sourceBytes).equals(fs.readFileSync(ranker.path))).toBe(true);
    expect(deriveRankingModel(sourceBytes, { seed: 7 }).equals(fs.readFileSync(ranker.path))).toBe(false);
    expect(await rankingTestModelPath()).toBe(ranker.path);
    expect(fs.statSync(ranker.path).size % 32).toBe(0);
  });

  it("refuses files it cannot derive from, with a clear message", async () => {
    const stories = fs.readFileSync(await testModelPath("stories260K.gguf"));
    expect(() => deriveRankingModel(stories)).toThrow(/expected a bert GGUF, got llama/);
    expect(() => deriveRankingModel(fs.readFileSync(ranker.path))).toThrow(/already has a classification head/);
    expect(() => deriveRankingModel(Buffer.from("not a gguf at all"))).toThrow(/not a GGUF file/);
    expect(() => deriveRankingModel(fs.readFileSync(ranker.path).subarray(0, 200))).toThrow(/truncated GGUF file/);
  });
});

describe("local ranking model", () => {
  it("scores each document like node-llama-cpp's ranking context, deterministically, with token usage", async () => {
    const model = runtime.rankingModel!(ranker);
    let usage: { inputTokens: number | undefined } | undefined;
    const scores = await model.rank(query, documents, { onUsage: (reported) => (usage = reported) });
    const expected = await Promise.all(documents.map((document) => referenceContext.rank(query, document)));
    expect(scores).toHaveLength(documents.length);
    scores.forEach((score, index) => {
      expect(Number.isFinite(score)).toBe(true);
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThan(1);
      expect(Math.abs(score - expected[index]!)).toBeLessThan(1e-5);
    });
    expect(new Set(scores.map((score) => score.toFixed(7))).size).toBe(documents.length);
    expect(await model.rank(query, documents)).toEqual(scores);
    expect(await model.rank(query, [...documents].reverse())).toEqual([...scores].reverse());
    expect(usage?.inputTokens).toBe(documents.reduce((sum, document) => sum + referenceContext.calculateInputLength(query, document), 0));
    expect(await model.rank(query, [])).toEqual([]);
  });

  it("scores a document longer than the context by its best chunk, and rejects a query that leaves no room", async () => {
    const model = runtime.rankingModel!(ranker);
    const long = Array.from({ length: 60 }, (_, index) => `Paragraph ${index} talks about vacation days and travel.`).join(" ");
    expect(referenceContext.calculateInputLength(query, long)).toBeGreaterThan(128);
    const [score] = await model.rank(query, [long]);
    expect(score).toBeCloseTo(await referenceContext.rank(query, long, { onOverflow: "maxChunk" }), 5);
    const tooLongQuery = Array.from({ length: 200 }, () => "vacation").join(" ");
    const error = await model.rank(tooLongQuery, ["short"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContextOverflowError);
    expect(error).toMatchObject({ param: "query", code: "context_length_exceeded" });
    // the model still ranks afterwards
    expect(await model.rank(query, documents.slice(0, 1))).toHaveLength(1);
  });

  it("rejects models without a ranking head as model_not_ranking, without loading a causal LM", async () => {
    for (const file of ["tiny-bert-random.gguf", "stories260K.gguf"] as const) {
      const registered = await registeredTestModel(file);
      const error = await runtime.rankingModel!(registered).rank(query, documents).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toMatchObject({ code: "model_not_ranking", param: "model" });
    }
    expect(runtime.stats().loaded.map((entry) => entry.name)).not.toContain("stories260K");
  });

  it("honours an aborted signal", async () => {
    const controller = new AbortController();
    controller.abort(new Error("client went away"));
    await expect(runtime.rankingModel!(ranker).rank(query, documents, { abortSignal: controller.signal })).rejects.toThrow("client went away");
  });
});
