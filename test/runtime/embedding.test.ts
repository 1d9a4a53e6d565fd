import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, type RegisteredModel, type Runtime } from "../../src/runtime/index.js";
import { ContextOverflowError, InvalidRequestError } from "../../src/spec/index.js";
import { registeredTestModel } from "./runtime-fixtures.js";

let runtime: Runtime;
let bert: RegisteredModel;
beforeAll(async () => {
  runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 4, idleUnloadSeconds: 0, maxQueue: 4 });
  bert = await registeredTestModel("tiny-bert-random.gguf");
});
afterAll(async () => runtime?.dispose());

describe("local embedding model", () => {
  it("returns L2-normalised vectors with exact token usage", async () => {
    const model = runtime.embeddingModel(bert);
    const values = ["The cat sat on the mat.", "A completely different sentence about engines."];
    const result = await model.doEmbed({ values });
    expect(result.embeddings).toHaveLength(2);
    for (const vector of result.embeddings) {
      expect(vector).toHaveLength(32);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 6);
    }
    expect(result.embeddings[0]).not.toEqual(result.embeddings[1]);

    const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
    const reference = await llama.loadModel({ modelPath: bert.path });
    try {
      // WordPiece adds [CLS] and [SEP] around each input
      const expected = values.reduce((sum, value) => sum + reference.tokenize(value).length + 2, 0);
      expect(result.usage.inputTokens).toBe(expected);
      const context = await reference.createEmbeddingContext({ contextSize: 128, threads: 1 });
      const raw = (await context.getEmbeddingFor(values[0]!)).vector;
      const norm = Math.hypot(...raw);
      result.embeddings[0]!.forEach((value, index) => expect(value).toBeCloseTo(raw[index]! / norm, 5));
      await context.dispose();
    } finally {
      await reference.dispose();
      await llama.dispose();
    }
  });

  it("rejects an input longer than the embedding context", async () => {
    const model = runtime.embeddingModel(bert);
    const error = await model.doEmbed({ values: ["ok", "word ".repeat(400)] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContextOverflowError);
    expect((error as Error).message).toMatch(/input\[1\]/);
    expect((await model.doEmbed({ values: ["still works"] })).embeddings).toHaveLength(1);
  });

  it("rejects empty inputs and using a language model for embeddings", async () => {
    await expect(runtime.embeddingModel(bert).doEmbed({ values: [""] })).rejects.toBeInstanceOf(InvalidRequestError);
    const stories = await registeredTestModel("stories260K.gguf");
    await expect(runtime.embeddingModel(stories).doEmbed({ values: ["x"] })).rejects.toBeInstanceOf(InvalidRequestError);
  });
});
