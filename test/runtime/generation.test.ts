import { getLlama, LlamaLogLevel, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRuntime, type RegisteredModel, type Runtime } from "../../src/runtime/index.js";
import { ContextOverflowError, type LanguageModelCallOptions, type LanguageModelStreamPart, ServiceUnavailableError, type TokenLogprob } from "../../src/spec/index.js";
import { testModelPath } from "../support/test-models.js";
import { collect, registeredTestModel } from "./runtime-fixtures.js";

const contextSize = 1024;
let runtime: Runtime;
let stories: RegisteredModel;
/** An independent node-llama-cpp instance for reference computations. */
let llama: Llama;
let referenceModel: LlamaModel;

beforeAll(async () => {
  runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 4, contextSize, idleUnloadSeconds: 0, maxQueue: 16 });
  stories = await registeredTestModel("stories260K.gguf");
  llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  referenceModel = await llama.loadModel({ modelPath: await testModelPath("stories260K.gguf") });
});

afterAll(async () => {
  await runtime?.dispose();
  await referenceModel?.dispose();
  await llama?.dispose();
});

function textCall(text: string, overrides: Partial<LanguageModelCallOptions> = {}): LanguageModelCallOptions {
  return { prompt: { type: "text", text }, sampling: { temperature: 0, maxTokens: 16 }, ...overrides };
}

describe("local language model: text generation", () => {
  it("is deterministic with greedy decoding and reports exact usage", async () => {
    const model = runtime.languageModel(stories);
    const first = await collect((await model.doStream(textCall("Once upon a time", { sampling: { temperature: 0, maxTokens: 12 } }))).stream);
    const second = await collect((await model.doStream(textCall("Once upon a time", { sampling: { temperature: 0, maxTokens: 12 } }))).stream);
    expect(first.text.startsWith(", there was a little girl named Lily")).toBe(true);
    expect(second.text).toBe(first.text);
    expect(first.parts[0]).toEqual({ type: "stream-start", warnings: [] });
    expect(first.parts[1]).toMatchObject({ type: "response-metadata", route: "local" });
    expect(first.parts.filter((part) => part.type === "finish")).toHaveLength(1);
    expect(first.parts.at(-1)?.type).toBe("finish");
    const promptLength = 1 + referenceModel.tokenize("Once upon a time").length;
    expect(first.finish?.usage).toMatchObject({ inputTokens: promptLength, outputTokens: 12 });
    expect(first.finish?.finishReason.unified).toBe("length");
    expect(await model.countPromptTokens!(textCall("Once upon a time"))).toBe(promptLength);
    expect(await model.info!()).toEqual({ contextLength: contextSize });
  });

  it("never emits a stop sequence or a prefix of it", async () => {
    const model = runtime.languageModel(stories);
    const result = await collect((await model.doStream(textCall("Once upon a time", { sampling: { temperature: 0, maxTokens: 40, stop: ["Lily"] } }))).stream);
    expect(result.text).toBe(", there was a little girl named ");
    expect(result.finish?.finishReason.unified).toBe("stop");
    expect(result.finish?.usage.outputTokens).toBeGreaterThan(0);
  });

  it("rejects a prompt plus max_tokens that exceed the context, naming both numbers", async () => {
    const model = runtime.languageModel(stories);
    const error = await model.doStream(textCall("Once upon a time", { sampling: { maxTokens: 1100 } })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContextOverflowError);
    expect((error as Error).message).toMatch(/1100/);
    expect((error as Error).message).toMatch(/1024/);
    const longPrompt = "Once upon a time ".repeat(300);
    await expect(model.doStream(textCall(longPrompt, { sampling: {} }))).rejects.toBeInstanceOf(ContextOverflowError);
    // the engine is intact afterwards
    const after = await collect((await model.doStream(textCall("Once upon a time", { sampling: { temperature: 0, maxTokens: 3 } }))).stream);
    expect(after.finish?.usage.outputTokens).toBe(3);
  });

  it("without max_tokens stops at the end of the sequence's context", async () => {
    const model = runtime.languageModel(stories);
    const result = await collect((await model.doStream(textCall("Once upon a time", { sampling: { temperature: 0, logitBias: { 2: -100 } } }))).stream);
    const usage = result.finish!.usage;
    expect(result.finish?.finishReason.unified).toBe("length");
    expect(usage.inputTokens! + usage.outputTokens!).toBe(contextSize);
  });
});

describe("local language model: other architectures", () => {
  for (const file of ["llama-2-tiny-random.gguf", "tiny-llama-moe-random.gguf", "tiny-qwen2moe-random.gguf"] as const) {
    it(`generates on ${file} with exact usage`, async () => {
      const registered = await registeredTestModel(file);
      const model = runtime.languageModel(registered);
      const reference = await llama.loadModel({ modelPath: registered.path });
      try {
        const eos = reference.tokens.eos!;
        const prompt = "The quick brown fox";
        const text = await collect((await model.doStream(textCall(prompt, { sampling: { temperature: 0.8, seed: 7, maxTokens: 20, logitBias: { [eos]: -100 } } }))).stream);
        const expectedInput = (reference.tokens.shouldPrependBosToken ? 1 : 0) + reference.tokenize(prompt).length;
        expect(text.finish?.usage).toMatchObject({ inputTokens: expectedInput, outputTokens: 20 });
        expect(typeof text.text).toBe("string");
        const chat = await collect(
          (await model.doStream({ prompt: { type: "chat", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }] }, sampling: { temperature: 0, maxTokens: 8, logitBias: { [eos]: -100 } } })).stream,
        );
        expect(chat.finish).toBeDefined();
        expect(chat.finish!.usage.outputTokens).toBeLessThanOrEqual(8);
        expect(chat.finish!.usage.inputTokens).toBe(await model.countPromptTokens!({ prompt: { type: "chat", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }] }, sampling: {} }));
      } finally {
        await reference.dispose();
      }
    });
  }
});

describe("local language model: constrained output", () => {
  it("follows a json_schema response format", async () => {
    const model = runtime.languageModel(stories);
    const schema = { type: "object", properties: { answer: { enum: ["yes", "no"] }, sure: { type: "boolean" } }, required: ["answer", "sure"] };
    const result = await collect(
      (await model.doStream({ prompt: { type: "chat", messages: [{ role: "user", content: "Answer in JSON" }] }, sampling: { temperature: 0, maxTokens: 64 }, responseFormat: { type: "json_schema", name: "answer", schema } })).stream,
    );
    const parsed = z.object({ answer: z.enum(["yes", "no"]), sure: z.boolean() }).parse(JSON.parse(result.text));
    expect(parsed.answer).toMatch(/yes|no/);
    expect(result.finish?.finishReason.unified).toBe("stop");
  });

  it("forces a named tool call whose arguments follow the tool's schema", async () => {
    const model = runtime.languageModel(stories);
    const tools = [
      { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { enum: ["Paris", "Oslo"] }, celsius: { type: "boolean" } }, required: ["city", "celsius"] } },
      { name: "get_time", parameters: { type: "object", properties: { zone: { enum: ["UTC"] } }, required: ["zone"] } },
    ];
    const result = await collect(
      (await model.doStream({ prompt: { type: "chat", messages: [{ role: "user", content: "Weather?" }] }, sampling: { temperature: 0, maxTokens: 160 }, tools, toolChoice: { type: "tool", name: "get_weather" } })).stream,
    );
    const call = result.parts.find((part) => part.type === "tool-call");
    expect(call).toMatchObject({ type: "tool-call", index: 0, toolName: "get_weather" });
    if (call?.type !== "tool-call") throw new Error("no tool call");
    expect(call.toolCallId).toMatch(/^call_/);
    z.object({ city: z.enum(["Paris", "Oslo"]), celsius: z.boolean() }).parse(JSON.parse(call.input));
    expect(result.text).toBe("");
    expect(result.finish?.finishReason.unified).toBe("tool-calls");

    const required = await collect(
      (await model.doStream({ prompt: { type: "chat", messages: [{ role: "user", content: "Time?" }] }, sampling: { temperature: 0, maxTokens: 160 }, tools, toolChoice: { type: "required" } })).stream,
    );
    const requiredCall = required.parts.find((part) => part.type === "tool-call");
    expect(["get_weather", "get_time"]).toContain(requiredCall?.type === "tool-call" ? requiredCall.toolName : undefined);
  });
});

describe("local language model: log-probabilities", () => {
  it("returns logprobs with top alternatives for every generated token", async () => {
    const model = runtime.languageModel(stories);
    const result = await collect((await model.doStream(textCall("Once upon a time", { sampling: { temperature: 0, maxTokens: 10 }, logprobs: { topLogprobs: 3 } }))).stream);
    const logprobs: TokenLogprob[] = result.parts.flatMap((part) => (part.type === "text-delta" ? part.logprobs ?? [] : []));
    expect(logprobs).toHaveLength(10);
    for (const entry of logprobs) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.topLogprobs).toHaveLength(3);
      expect(entry.topLogprobs[0]!.token).toBe(entry.token); // greedy picks the most likely token
      expect(entry.topLogprobs[0]!.logprob).toBeCloseTo(entry.logprob, 6);
      expect(Buffer.from(entry.bytes).toString("utf8")).toBe(entry.token);
    }
    expect(logprobs.map((entry) => entry.token).join("").trim()).toBe(result.text.trim());
  });

  it("echoes prompt logprobs that match an independent in-process computation to 1e-4", async () => {
    const model = runtime.languageModel(stories);
    const text = "Once upon a time, there was a little girl named Lily. She loved to play outside.";
    const result = await collect((await model.doStream({ prompt: { type: "text", text, echo: true }, sampling: { temperature: 0, maxTokens: 1 }, logprobs: { topLogprobs: 0 } })).stream);
    const echo = result.parts.find((part) => part.type === "prompt-echo");
    if (echo?.type !== "prompt-echo") throw new Error("no prompt echo");
    expect(echo.text).toBe(text);
    const tokens = referenceModel.tokenize(text);
    expect(echo.logprobs).toHaveLength(tokens.length);
    expect(echo.logprobs![0]).toBeNull();
    const ours = echo.logprobs!.slice(1).reduce((sum, entry) => sum + entry!.logprob, 0);

    const context = await referenceModel.createContext({ sequences: 1, contextSize: 256, threads: 1 });
    try {
      const input = [referenceModel.tokens.bos!, ...tokens] as Token[];
      const results = await context.getSequence().controlledEvaluate(input.map((token, index) => (index >= 1 && index < input.length - 1 ? [token, { generateNext: { probabilities: true } }] : token)));
      let reference = 0;
      for (let index = 1; index < input.length - 1; index++) reference += Math.log(results[index]!.next.probabilities!.get(input[index + 1]!)!);
      expect(Math.abs(ours - reference)).toBeLessThan(1e-4);
      expect(ours).toBeLessThan(0);
    } finally {
      await context.dispose();
    }
    expect(result.finish?.usage).toMatchObject({ inputTokens: tokens.length + 1, outputTokens: 1 });
  });
});

describe("local language model: disposal", () => {
  it("a generation whose runtime is disposed mid-way ends with a 503 error part, never a normal finish", async () => {
    const disposable = createRuntime({ gpu: "cpu", threads: 1, sequences: 1, contextSize, idleUnloadSeconds: 0, maxQueue: 1 });
    const { stream } = await disposable.languageModel(stories).doStream(
      textCall("Once upon a time", { sampling: { temperature: 0, maxTokens: 1000, logitBias: { 2: -100 } } }),
    );
    const reader = stream.getReader();
    const parts: LanguageModelStreamPart[] = [];
    let disposing: Promise<void> | undefined;
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      parts.push(next.value);
      if (parts.filter((part) => part.type === "text-delta").length === 5) disposing = disposable.dispose();
    }
    await disposing;
    expect(parts.some((part) => part.type === "finish")).toBe(false);
    const last = parts.at(-1);
    expect(last?.type).toBe("error");
    const error = last?.type === "error" ? last.error : undefined;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ statusCode: 503, code: "model_unloaded" });
  });
});
