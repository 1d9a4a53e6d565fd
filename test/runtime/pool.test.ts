import { afterEach, describe, expect, it, vi } from "vitest";
import { createRuntime, type Runtime, type RuntimeLogger } from "../../src/runtime/index.js";
import { type LanguageModelCallOptions, OverloadedError } from "../../src/spec/index.js";
import { collect, type CollectedStream, registeredTestModel } from "./runtime-fixtures.js";

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.dispose();
  runtime = undefined;
});

const call: LanguageModelCallOptions = { prompt: { type: "text", text: "Once upon a time" }, sampling: { temperature: 0, maxTokens: 4 } };
const base = { gpu: "cpu", threads: 1, sequences: 2, contextSize: 256, maxQueue: 4 } as const;

type LanguageTestModel = "stories260K.gguf" | "tiny-llama-moe-random.gguf" | "llama-2-tiny-random.gguf";

async function generate(target: Runtime, file: LanguageTestModel, abortSignal?: AbortSignal) {
  return collect((await target.languageModel(await registeredTestModel(file)).doStream({ ...call, abortSignal })).stream);
}

/** Estimated bytes of each model loaded alone (as the pool accounts them). */
async function loadedSizes(files: LanguageTestModel[]): Promise<Map<string, number>> {
  const probe = createRuntime({ ...base, idleUnloadSeconds: 0 });
  try {
    for (const file of files) await generate(probe, file);
    return new Map(probe.stats().loaded.map((entry) => [entry.name, entry.memoryBytes]));
  } finally {
    await probe.dispose();
  }
}

/** A logger that calls `onMessage` with every info message (the pool logs "loading model", "evicting model …"). */
function listeningLogger(onMessage: (message: string | undefined, fields: object) => void): RuntimeLogger {
  return { info: (fields, message) => onMessage(message, fields), warn() {}, error() {}, debug() {} };
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

  it("never evicts a model that a call leased while an earlier victim was being unloaded", async () => {
    const files: LanguageTestModel[] = ["stories260K.gguf", "tiny-llama-moe-random.gguf", "llama-2-tiny-random.gguf"];
    const sizes = await loadedSizes(files);
    const bySize = files.map((file) => ({ file, name: file.replace(/\.gguf$/, ""), bytes: sizes.get(file.replace(/\.gguf$/, ""))! })).sort((a, b) => a.bytes - b.bytes);
    const [oldest, leased, incoming] = bySize as [(typeof bySize)[0], (typeof bySize)[0], (typeof bySize)[0]];
    // Both small models fit together; the incoming (largest) one fits only after evicting both of them.
    const memoryBudgetBytes = incoming.bytes + oldest.bytes - 1;
    expect(oldest.bytes + leased.bytes).toBeLessThanOrEqual(memoryBudgetBytes);
    expect(leased.bytes + incoming.bytes).toBeGreaterThan(memoryBudgetBytes);

    let leasedCall: Promise<CollectedStream> | undefined;
    let clock = 1_000;
    const leasedModel = await registeredTestModel(leased.file);
    const logger = listeningLogger((message, fields) => {
      // While the first victim is being disposed, a call leases the other idle model.
      if (message === "evicting model to free memory" && (fields as { model?: string }).model === oldest.name) {
        leasedCall ??= runtime!.languageModel(leasedModel).doStream(call).then(({ stream }) => collect(stream));
        leasedCall.catch(() => undefined); // awaited below
      }
    });
    runtime = createRuntime({ ...base, idleUnloadSeconds: 0, memoryBudgetBytes, logger, now: () => clock++ });
    await generate(runtime, oldest.file);
    await generate(runtime, leased.file);
    expect(runtime.stats().loaded.map((entry) => entry.name).sort()).toEqual([oldest.name, leased.name].sort());

    const incomingCall = generate(runtime, incoming.file);
    await expect(incomingCall).rejects.toBeInstanceOf(OverloadedError);
    await expect(incomingCall).rejects.toMatchObject({ code: "memory_budget_busy" });
    expect(leasedCall).toBeDefined();
    const result = await leasedCall!;
    expect(result.finish?.usage.outputTokens).toBe(4);
    expect(runtime.stats().loaded.map((entry) => entry.name)).toEqual([leased.name]);
    // Once the leased call is over, its model is idle again and gives way.
    expect((await generate(runtime, incoming.file)).finish?.usage.outputTokens).toBe(4);
    expect(runtime.stats().loaded.map((entry) => entry.name)).toEqual([incoming.name]);
  });

  it("ends a call whose signal aborts while its model loads, and releases the lease the load gives", async () => {
    const sizes = await loadedSizes(["stories260K.gguf", "tiny-llama-moe-random.gguf"]);
    const controller = new AbortController();
    const reason = new Error("the client went away");
    const logger = listeningLogger((message, fields) => {
      if (message === "loading model" && (fields as { model?: string }).model === "stories260K") controller.abort(reason);
    });
    // Room for one model at a time: the second loads only if the first (aborted) call's lease was released.
    const memoryBudgetBytes = Math.max(...sizes.values()) + Math.min(...sizes.values()) - 1;
    runtime = createRuntime({ ...base, idleUnloadSeconds: 0, memoryBudgetBytes, logger });
    await expect(generate(runtime, "stories260K.gguf", controller.signal)).rejects.toBe(reason);
    // The call ended before the model finished loading.
    expect(runtime.stats().loaded).toEqual([]);
    await runtime.load(await registeredTestModel("stories260K.gguf"));
    expect(runtime.stats().loaded.map((entry) => entry.name)).toEqual(["stories260K"]);
    expect((await generate(runtime, "tiny-llama-moe-random.gguf")).finish?.usage.outputTokens).toBe(4);
    expect(runtime.stats().loaded.map((entry) => entry.name)).toEqual(["tiny-llama-moe-random"]);
  });

  it("ends a call whose signal aborts while it waits for another model's load", async () => {
    const controller = new AbortController();
    const reason = new Error("cancelled while queued");
    const moe = await registeredTestModel("tiny-llama-moe-random.gguf");
    let waiting: Promise<unknown> | undefined;
    const logger = listeningLogger((message, fields) => {
      // While stories260K loads, a call for another model queues behind that load; then its caller gives up.
      if (message === "loading model" && (fields as { model?: string }).model === "stories260K") {
        waiting = runtime!.languageModel(moe).doStream({ ...call, abortSignal: controller.signal });
        waiting.catch(() => undefined);
        controller.abort(reason);
      }
    });
    runtime = createRuntime({ ...base, idleUnloadSeconds: 0, logger });
    const first = generate(runtime, "stories260K.gguf");
    await vi.waitFor(() => expect(waiting).toBeDefined(), { timeout: 60_000 });
    await expect(waiting).rejects.toBe(reason);
    expect((await first).finish?.usage.outputTokens).toBe(4);
    // The queued load still happened (for the next caller) and left nothing leased: the model unloads on request.
    await vi.waitFor(() => expect(runtime!.stats().loaded.map((entry) => entry.name).sort()).toEqual(["stories260K", "tiny-llama-moe-random"]), { timeout: 60_000 });
  });
});
