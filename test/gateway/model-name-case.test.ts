import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway } from "../../src/gateway/index.js";
import { createRuntime, type Runtime } from "../../src/runtime/index.js";
import type { ProviderRecord } from "../../src/store/records.js";
import { collect } from "../runtime/runtime-fixtures.js";
import { chatDelta, chatFinish, FakeUpstream, respondSse, usageChunk } from "./fake-upstream.js";

let runtime: Runtime;
let upstream: FakeUpstream;

beforeAll(async () => {
  runtime = createRuntime({ gpu: "cpu", threads: 1 });
  upstream = await FakeUpstream.start();
});

afterAll(async () => {
  await upstream.stop();
  await runtime.dispose();
});

describe("gateway model names", () => {
  it("routes any case of a provider's model to it, sends the provider's spelling and lists one entry per model", async () => {
    const providers: ProviderRecord[] = [upstream.provider({ name: "a", priority: 1, models: ["Qwen3-0.6B", "other"] }), upstream.provider({ name: "b", priority: 2, models: ["qwen3-0.6b"] })];
    const gateway = createGateway({ findLocalModel: async () => undefined, listLocalModels: async () => [], listProviders: async () => providers, runtime });
    upstream.script(respondSse([chatDelta("hi"), chatFinish("stop"), usageChunk({ prompt_tokens: 2, completion_tokens: 1 })]));
    const { model } = await gateway.languageModel("QWEN3-0.6b");
    expect(model.modelId).toBe("Qwen3-0.6B");
    const { stream } = await model.doStream({ prompt: { type: "chat", messages: [{ role: "user", content: "Hi" }] }, sampling: {} });
    await collect(stream);
    expect(upstream.hits.map((hit) => hit.body.model)).toEqual(["Qwen3-0.6B"]);
    expect((await gateway.listModels()).map((listing) => listing.id)).toEqual(["Qwen3-0.6B", "other"]);
  });
});
