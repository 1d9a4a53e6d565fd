import { afterEach, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime/index.js";
import { OverloadedError, type LanguageModelCallOptions, type LanguageModelStreamPart } from "../../src/spec/index.js";
import { collect, registeredTestModel } from "./runtime-fixtures.js";

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.dispose();
  runtime = undefined;
});

/** Exactly `maxTokens` tokens: end-of-sequence (token 2 in the stories vocabulary) is banned. */
function call(maxTokens: number, overrides: Partial<LanguageModelCallOptions> = {}): LanguageModelCallOptions {
  return { prompt: { type: "text", text: "Once upon a time" }, sampling: { temperature: 0, maxTokens, logitBias: { 2: -100 } }, ...overrides };
}

/** Reads parts until `predicate` holds; returns the reader to keep reading. */
async function readUntil(stream: ReadableStream<LanguageModelStreamPart>, predicate: (part: LanguageModelStreamPart) => boolean) {
  const reader = stream.getReader();
  const parts: LanguageModelStreamPart[] = [];
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    parts.push(next.value);
    if (predicate(next.value)) break;
  }
  return { reader, parts };
}

describe("scheduler", () => {
  it("completes 8 concurrent streams on 4 sequences with exact per-request usage", async () => {
    runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 4, contextSize: 512, idleUnloadSeconds: 0, maxQueue: 16 });
    const model = runtime.languageModel(await registeredTestModel("stories260K.gguf"));
    const lengths = [5, 9, 13, 17, 21, 25, 29, 33];
    const prompts = lengths.map((length, index) => ({ length, text: `Once upon a time ${"there ".repeat(index)}` }));
    const results = await Promise.all(
      prompts.map(async ({ length, text }) => collect((await model.doStream(call(length, { prompt: { type: "text", text } }))).stream)),
    );
    for (const [index, result] of results.entries()) {
      const expectedInput = await model.countPromptTokens!(call(1, { prompt: { type: "text", text: prompts[index]!.text } }));
      expect(result.finish?.usage).toMatchObject({ inputTokens: expectedInput, outputTokens: lengths[index] });
      expect(result.finish?.finishReason.unified).toBe("length");
    }
    // the same prompt decoded alone and in a batch gives the same greedy text (stories260K is F32)
    const alone = await collect((await model.doStream(call(33, { prompt: { type: "text", text: prompts[7]!.text } }))).stream);
    expect(alone.text).toBe(results[7]!.text);
    const stats = runtime.stats().loaded[0]!;
    expect(stats).toMatchObject({ name: "stories260K", activeSequences: 0, queued: 0 });
  });

  it("abort mid-stream ends with finish cancelled and exact usage, and frees the sequence for a queued request", async () => {
    runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 1, contextSize: 1024, idleUnloadSeconds: 0, maxQueue: 4 });
    const model = runtime.languageModel(await registeredTestModel("stories260K.gguf"));
    const controller = new AbortController();
    const long = await model.doStream(call(1000, { abortSignal: controller.signal }));
    const { reader, parts } = await readUntil(long.stream, (part) => part.type === "text-delta");
    const queued = await model.doStream(call(5));
    expect(runtime.stats().loaded[0]).toMatchObject({ activeSequences: 1, queued: 1 });

    controller.abort();
    for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
    const finish = parts.at(-1);
    expect(finish?.type).toBe("finish");
    if (finish?.type !== "finish") throw new Error("no finish");
    expect(finish.finishReason.unified).toBe("cancelled");
    const delivered = parts.filter((part) => part.type === "text-delta").length;
    expect(finish.usage.outputTokens).toBeGreaterThanOrEqual(1);
    expect(finish.usage.outputTokens).toBeLessThan(1000);
    expect(finish.usage.outputTokens).toBeGreaterThanOrEqual(delivered);
    expect(finish.usage.inputTokens).toBe(await model.countPromptTokens!(call(1)));

    const next = await collect(queued.stream);
    expect(next.finish?.usage.outputTokens).toBe(5);
    expect(next.text.startsWith(", there was")).toBe(true);
    expect(runtime.stats().loaded[0]).toMatchObject({ activeSequences: 0, queued: 0 });
  });

  it("cancels a queued request without giving it a sequence", async () => {
    runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 1, contextSize: 512, idleUnloadSeconds: 0, maxQueue: 4 });
    const model = runtime.languageModel(await registeredTestModel("stories260K.gguf"));
    const running = await model.doStream(call(200));
    const controller = new AbortController();
    const waiting = await model.doStream(call(10, { abortSignal: controller.signal }));
    controller.abort();
    const cancelled = await collect(waiting.stream);
    expect(cancelled.finish).toMatchObject({ finishReason: { unified: "cancelled" }, usage: { inputTokens: 0, outputTokens: 0 } });
    expect(runtime.stats().loaded[0]?.queued).toBe(0);
    expect((await collect(running.stream)).finish?.usage.outputTokens).toBe(200);
  });

  it("rejects requests beyond the queue with OverloadedError and keeps serving", async () => {
    runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 1, contextSize: 512, idleUnloadSeconds: 0, maxQueue: 1 });
    const model = runtime.languageModel(await registeredTestModel("stories260K.gguf"));
    const first = await model.doStream(call(50));
    const second = await model.doStream(call(3));
    const error = await model.doStream(call(3)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OverloadedError);
    expect((error as OverloadedError).statusCode).toBe(503);
    expect((await collect(first.stream)).finish?.usage.outputTokens).toBe(50);
    expect((await collect(second.stream)).finish?.usage.outputTokens).toBe(3);
    const after = await collect((await model.doStream(call(2))).stream);
    expect(after.finish?.usage.outputTokens).toBe(2);
  });

  it("treats cancelling the stream like an abort", async () => {
    runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 1, contextSize: 1024, idleUnloadSeconds: 0, maxQueue: 4 });
    const model = runtime.languageModel(await registeredTestModel("stories260K.gguf"));
    const long = await model.doStream(call(1000));
    const { reader } = await readUntil(long.stream, (part) => part.type === "text-delta");
    await reader.cancel();
    const next = await collect((await model.doStream(call(4))).stream);
    expect(next.finish?.usage.outputTokens).toBe(4);
  });
});
