import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inspectGguf } from "../../src/runtime/index.js";
import { InvalidModelFileError } from "../../src/spec/index.js";
import { testModelPath } from "../support/test-models.js";

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-gguf-"));
afterAll(() => fs.rmSync(temporary, { recursive: true, force: true }));

describe("inspectGguf", () => {
  it("reads a trained dense llama model", async () => {
    const metadata = await inspectGguf(await testModelPath("stories260K.gguf"));
    expect(metadata).toMatchObject({
      architecture: "llama",
      kind: "llm",
      parameterCount: 292_800,
      quantization: "F32",
      contextLength: 2048,
      embeddingLength: 64,
      expertCount: undefined,
      expertUsedCount: undefined,
      hasChatTemplate: false,
      vocabularySize: 512,
      fileSizeBytes: 1_185_376,
    });
  });

  it("reads the F16 llama with a 32k vocabulary", async () => {
    const metadata = await inspectGguf(await testModelPath("llama-2-tiny-random.gguf"));
    expect(metadata).toMatchObject({ architecture: "llama", kind: "llm", quantization: "F16", contextLength: 4096, vocabularySize: 32_000 });
  });

  it("reports experts of both mixture-of-experts models", async () => {
    const llamaMoe = await inspectGguf(await testModelPath("tiny-llama-moe-random.gguf"));
    expect(llamaMoe).toMatchObject({ architecture: "llama", kind: "llm", expertCount: 4, expertUsedCount: 2, hasChatTemplate: true, contextLength: 512 });
    const qwenMoe = await inspectGguf(await testModelPath("tiny-qwen2moe-random.gguf"));
    expect(qwenMoe).toMatchObject({ architecture: "qwen2moe", kind: "llm", expertCount: 4, expertUsedCount: 2, hasChatTemplate: true });
  });

  it("classifies bert with pooling as an embedding model", async () => {
    const metadata = await inspectGguf(await testModelPath("tiny-bert-random.gguf"));
    expect(metadata).toMatchObject({ architecture: "bert", kind: "embedding", embeddingLength: 32, contextLength: 128, vocabularySize: 30_522, quantization: "F16" });
  });

  it("rejects a truncated GGUF whose header is intact", async () => {
    const original = fs.readFileSync(await testModelPath("stories260K.gguf"));
    const truncated = path.join(temporary, "truncated.gguf");
    fs.writeFileSync(truncated, original.subarray(0, original.length - 1000));
    const error = await inspectGguf(truncated).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidModelFileError);
    expect((error as Error).message).toMatch(/truncated/);
  });

  it("rejects a file cut inside its header", async () => {
    const original = fs.readFileSync(await testModelPath("stories260K.gguf"));
    const cut = path.join(temporary, "cut.gguf");
    fs.writeFileSync(cut, original.subarray(0, 200));
    await expect(inspectGguf(cut)).rejects.toBeInstanceOf(InvalidModelFileError);
  });

  it("rejects a file that is not GGUF", async () => {
    const text = path.join(temporary, "notes.gguf");
    fs.writeFileSync(text, "this is not a model file at all\n");
    await expect(inspectGguf(text)).rejects.toThrow(/not a GGUF file/);
    await expect(inspectGguf(text)).rejects.toBeInstanceOf(InvalidModelFileError);
  });

  it("rejects a missing file", async () => {
    await expect(inspectGguf(path.join(temporary, "absent.gguf"))).rejects.toThrow(/not found/);
  });
});
