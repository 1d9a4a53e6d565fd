import { afterEach, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime/index.js";
import type { LanguageModelCallOptions } from "../../src/spec/index.js";
import { collect, registeredTestModel } from "./runtime-fixtures.js";

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.dispose();
  runtime = undefined;
});

const call: LanguageModelCallOptions = { prompt: { type: "text", text: "Once upon a time" }, sampling: { temperature: 0, maxTokens: 4 } };
const base = { gpu: "cpu", threads: 1, sequences: 2, contextSize: 256, maxQueue: 4 } as const;

async function generate(target: Runtime, file: "stories260K.gguf" | "tiny-llama-moe-random.gguf") {
  return collect((await target.languageModel(await registeredTestModel(file)).doStream(call)).stream);
}

describe("model pool", () => {
  it("loads on first use and reports memory from resource estimates", async () => {
    runtime = createRuntime({ ...base, idleUnloadSeconds: 0 });
    expect(runtime.stats().loaded).toEqual([]);
    await generate(runtime, "stories260K.gguf");
    const [loaded] = runtime.stats().loaded;
    expect(loaded).toMatchObject({ name: "stories260K", activeSequences: 0, queued: 0 });
    expect(loaded!.memoryBytes).toBeGreaterThan(1_000_000);
    expect(runtime.stats().memoryBudgetBytes).toBeGreaterThan(loaded!.memoryBytes);
  });

  it("evicts the least recently used idle model when the budget is exceeded", async () => {
    const probe = createRuntime({ ...base, idleUnloadSeconds: 0 });
    await generate(probe, "stories260K.gguf");
    await generate(probe, "tiny-llama-moe-random.gguf");
    const sizes = probe.stats().loaded.map((entry) => entry.memoryBytes);
    await probe.dispose();

    let clock = 1_000;
    runtime = createRuntime({ ...base, idleUnloadSeconds: 0, memoryBudgetBytes: Math.max(...sizes) + Math.min(...sizes) - 1, now: () => clock++ });
    await generate(runtime, "stories260K.gguf");
    expect(runtime.stats().loaded.map((entry) => entry.name)).toEqual(["stories260K"]);
    const result = await generate(runtime, "tiny-llama-moe-random.gguf");
    expect(result.finish?.usage.outputTokens).toBe(4);
    expect(runtime.stats().loaded.map((entry) => entry.name)).toEqual(["tiny-llama-moe-random"]);
    // and back: the evicted model loads again
    expect((await generate(runtime, "stories260K.gguf")).text.startsWith(", there was")).toBe(true);
    expect(runtime.stats().loaded.map((entry) => entry.name)).toEqual(["stories260K"]);
  });

  it("refuses a model larger than the whole budget with a clear error", async () => {
    runtime = createRuntime({ ...base, idleUnloadSeconds: 0, memoryBudgetBytes: 1000 });
    await expect(generate(runtime, "stories260K.gguf")).rejects.toThrow(/memory budget/);
  });

  it("unloads an idle model after idleUnloadSeconds", async () => {
    runtime = createRuntime({ ...base, idleUnloadSeconds: 0.2 });
    await generate(runtime, "stories260K.gguf");
    expect(runtime.stats().loaded).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(runtime.stats().loaded).toHaveLength(0);
  });

  it("unloads on request and disposes everything", async () => {
    runtime = createRuntime({ ...base, idleUnloadSeconds: 0 });
    await generate(runtime, "stories260K.gguf");
    await generate(runtime, "tiny-llama-moe-random.gguf");
    await runtime.unload("stories260K");
    expect(runtime.stats().loaded.map((entry) => entry.name)).toEqual(["tiny-llama-moe-random"]);
    await runtime.dispose();
    expect(runtime.stats().loaded).toEqual([]);
    await expect(generate(runtime, "stories260K.gguf")).rejects.toThrow(/shutting down/);
    runtime = undefined;
  });
});
