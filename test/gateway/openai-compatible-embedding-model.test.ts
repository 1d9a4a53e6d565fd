import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAICompatibleEmbeddingModel } from "../../src/gateway/index.js";
import { UpstreamError, UpstreamTimeoutError } from "../../src/spec/index.js";
import { FakeUpstream, respondJson, respondNever } from "./fake-upstream.js";

let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await FakeUpstream.start();
});

afterAll(async () => {
  await upstream.stop();
});

function model(overrides: Parameters<FakeUpstream["provider"]>[0] = {}) {
  return createOpenAICompatibleEmbeddingModel({ provider: upstream.provider({ models: ["remote-embedder"], ...overrides }), modelId: "remote-embedder" });
}

describe("openai-compatible embedding model", () => {
  it("posts float embeddings requests, orders vectors by index, L2-normalises them and reads usage", async () => {
    upstream.script(
      respondJson(200, {
        object: "list",
        data: [
          { object: "embedding", index: 1, embedding: [0.6, 0.8] },
          { object: "embedding", index: 0, embedding: [3, 4] },
        ],
        usage: { prompt_tokens: 5, total_tokens: 5 },
      }),
    );
    const result = await model().doEmbed({ values: ["first", "second"] });
    expect(upstream.hits.at(-1)).toMatchObject({
      path: "/v1/embeddings",
      authorization: "Bearer sk-upstream",
      body: { model: "remote-embedder", input: ["first", "second"], encoding_format: "float" },
    });
    expect(result.embeddings[0]?.[0]).toBeCloseTo(0.6, 12);
    expect(result.embeddings[0]?.[1]).toBeCloseTo(0.8, 12);
    expect(result.embeddings[1]).toEqual([0.6, 0.8]);
    expect(result.usage).toEqual({ inputTokens: 5 });
  });

  it("reports unknown usage as undefined and sends no authorization without an API key", async () => {
    upstream.script(respondJson(200, { data: [{ embedding: [1, 0] }] }));
    const result = await model({ apiKey: undefined }).doEmbed({ values: ["x"] });
    expect(result).toEqual({ embeddings: [[1, 0]], usage: { inputTokens: undefined } });
    expect(upstream.hits.at(-1)?.authorization).toBeUndefined();
  });

  it("rejects a response with the wrong number of vectors or a bad shape", async () => {
    upstream.script(respondJson(200, { data: [{ embedding: [1, 0] }] }), respondJson(200, { data: "nope" }));
    await expect(model().doEmbed({ values: ["a", "b"] })).rejects.toThrow(/invalid embeddings response \(expected 2 vectors\)/);
    await expect(model().doEmbed({ values: ["a"] })).rejects.toBeInstanceOf(UpstreamError);
  });

  it("maps HTTP failures and timeouts to upstream errors", async () => {
    upstream.script(respondJson(401, { error: { message: "bad key" } }), respondNever);
    const unauthorized = await model().doEmbed({ values: ["a"] }).catch((caught: unknown) => caught);
    expect(unauthorized).toMatchObject({ upstreamStatus: 401, isRetryable: false });
    await expect(model({ timeoutMs: 100 }).doEmbed({ values: ["a"] })).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });
});
