import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/gateway/index.js";
import { createRuntime, type RegisteredModel, type Runtime } from "../../src/runtime/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";
import { collect, registeredTestModel } from "../runtime/runtime-fixtures.js";
import { chatDelta, chatFinish, FakeUpstream, respondSse } from "./fake-upstream.js";

const contextSize = 512;
let runtime: Runtime;
let upstream: FakeUpstream;
let gateway: Gateway;
let stories: RegisteredModel;
let bert: RegisteredModel;

beforeAll(async () => {
  runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 2, contextSize, idleUnloadSeconds: 0 });
  upstream = await FakeUpstream.start();
  stories = await registeredTestModel("stories260K.gguf");
  bert = await registeredTestModel("tiny-bert-random.gguf");
  const locals = [stories, bert];
  // The provider also serves "stories260K": the registered local model must still be tried first.
  const providers = [upstream.provider({ name: "remote", priority: 1, models: ["stories260K", "remote-only"] })];
  gateway = createGateway({
    findLocalModel: async (name) => locals.find((model) => model.name === name),
    listLocalModels: async () => locals,
    listProviders: async () => providers,
    runtime,
  });
});

afterAll(async () => {
  await runtime?.dispose();
  await upstream?.stop();
});

describe("gateway: local route (real llama.cpp)", () => {
  it("serves a registered model from the local engine before any provider", async () => {
    upstream.script(respondSse([chatDelta("remote"), chatFinish("stop")]));
    const { model, contextLength } = await gateway.languageModel("stories260K");
    expect(contextLength).toBe(contextSize);
    expect(await model.countPromptTokens?.({ prompt: { type: "text", text: "Once upon a time" }, sampling: {} })).toBeGreaterThan(1);
    const result = await collect((await model.doStream({ prompt: { type: "text", text: "Once upon a time" }, sampling: { temperature: 0, maxTokens: 8 } })).stream);
    expect(result.parts.find((part) => part.type === "response-metadata")).toMatchObject({ route: "local", modelId: "stories260K" });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.finish?.usage.outputTokens).toBe(8);
    expect(upstream.hits).toHaveLength(0);
  });

  it("serves a local embedding model and rejects using a model as the wrong kind", async () => {
    const embedder = await gateway.embeddingModel("tiny-bert-random");
    const { embeddings, usage } = await embedder.doEmbed({ values: ["hello world"] });
    expect(Math.hypot(...embeddings[0]!)).toBeCloseTo(1, 5);
    expect(usage.inputTokens).toBeGreaterThan(0);
    await expect(gateway.languageModel("tiny-bert-random")).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(gateway.languageModel("tiny-bert-random")).rejects.toThrow("is an embedding model");
  });

  it("falls back to a provider route for embeddings of a name served locally only as an LLM", async () => {
    upstream.script(async (response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ data: [{ index: 0, embedding: [0, 1] }] }));
    });
    const embedder = await gateway.embeddingModel("stories260K");
    expect((await embedder.doEmbed({ values: ["x"] })).embeddings).toEqual([[0, 1]]);
    expect(upstream.hits.at(-1)?.path).toBe("/v1/embeddings");
  });

  it("lists local models as owned by aiplus, then provider-only models, without duplicates", async () => {
    const listing = await gateway.listModels();
    expect(listing.map(({ id, ownedBy, kind }) => ({ id, ownedBy, kind }))).toEqual([
      { id: "stories260K", ownedBy: "aiplus", kind: "llm" },
      { id: "tiny-bert-random", ownedBy: "aiplus", kind: "embedding" },
      { id: "remote-only", ownedBy: "remote", kind: "llm" },
    ]);
  });
});
