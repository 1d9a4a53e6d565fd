import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOpenAiLoglikelihoodBackend } from "../../src/eval/index.js";
import { createGateway, type GatewayOptions } from "../../src/gateway/index.js";
import { createRuntime, type Runtime } from "../../src/runtime/index.js";
import { CircuitOpenError, NotFoundError, UpstreamError, UpstreamTimeoutError } from "../../src/spec/index.js";
import type { ProviderRecord } from "../../src/store/records.js";
import { FakeUpstream, respondJson, respondNever, type UpstreamScript } from "./fake-upstream.js";

// Reranking and log-likelihood scoring (eval) go through the gateway's one upstream HTTP client, like chat and
// embeddings: timeouts, error mapping, retries before the answer, failover to the next provider, circuit breakers.

let runtime: Runtime;
let first: FakeUpstream;
let second: FakeUpstream;

beforeAll(async () => {
  runtime = createRuntime({ gpu: "cpu", threads: 1 });
  first = await FakeUpstream.start();
  second = await FakeUpstream.start();
});

afterAll(async () => {
  await first.stop();
  await second.stop();
  await runtime.dispose();
});

afterEach(() => {
  first.reset();
  second.reset();
});

/** A `/completions` echo of the prompt, one token per word (the first without a log-probability, as OpenAI does). */
function echoAnswer(prompt: string): unknown {
  const tokens = prompt.split(/(?= )/);
  const offsets = tokens.map((_, index) => tokens.slice(0, index).join("").length);
  return {
    choices: [{ text: "!", logprobs: { tokens: [...tokens, "!"], token_logprobs: [null, ...tokens.slice(1).map((_, index) => -(index + 1) / 2), -0.1], text_offset: [...offsets, prompt.length] } }],
  };
}

/** Answers each `/completions` echo from the recorded request's prompt. */
function echoing(upstream: FakeUpstream): UpstreamScript {
  return (response, request) => respondJson(200, echoAnswer(String(upstream.hits.at(-1)!.body.prompt)))(response, request);
}

function gatewayWith(providers: ProviderRecord[], settings: Partial<GatewayOptions> = {}) {
  return createGateway({
    findLocalModel: async () => undefined,
    listLocalModels: async () => [],
    listProviders: async () => providers,
    runtime,
    delay: async () => undefined,
    ...settings,
  });
}

describe("log-likelihood scoring through the gateway", () => {
  it("times out a provider that never answers, retries, and fails over to the next provider by priority", async () => {
    first.fallback = respondNever;
    second.fallback = echoing(second);
    // Listed out of order: priority decides (the stalled provider comes first).
    const gateway = gatewayWith([second.provider({ name: "b", priority: 2 }), first.provider({ name: "a", priority: 1, timeoutMs: 150 })]);
    const backend = createOpenAiLoglikelihoodBackend({ upstream: await gateway.upstreamJsonModel("REMOTE-model") });
    expect(backend.description).toBe("gateway:remote-model");
    const tokens = await backend.tokenize("once upon a time", { addBos: true });
    expect(tokens).toHaveLength(5);
    const routes: string[] = [];
    const [scores] = await backend.scoreTokens([{ tokens, from: 2 }], { onRoute: (route) => routes.push(route) });
    expect(scores).toEqual([-0.5, -1, -1.5]);
    expect(routes).toEqual(["b"]);
    // Each call tried the stalled provider first (with 2 retries) until its 5th timeout opened its circuit.
    expect(first.hits).toHaveLength(5);
    expect(gateway.providerHealth(first.provider({ name: "a" })).state).toBe("open");
    expect(second.hits.map((hit) => hit.body)).toEqual([
      { model: "remote-model", prompt: "once upon a time", echo: true, logprobs: 1, max_tokens: 1, temperature: 0 },
      { model: "remote-model", prompt: "once upon a time", echo: true, logprobs: 1, max_tokens: 1, temperature: 0 },
    ]);
    expect(second.hits[0]).toMatchObject({ path: "/v1/completions", authorization: "Bearer sk-upstream" });
  });

  it("rejects with UpstreamTimeoutError when the only provider never answers (the call does not hang)", async () => {
    first.fallback = respondNever;
    const gateway = gatewayWith([first.provider({ name: "a", timeoutMs: 100 })], { retry: { maxRetries: 1 } });
    const backend = createOpenAiLoglikelihoodBackend({ upstream: await gateway.upstreamJsonModel("remote-model") });
    const failure = await backend.tokenize("once upon a time", { addBos: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamTimeoutError);
    expect((failure as Error).message).toBe("upstream a sent no response within 100 ms");
    expect(first.hits).toHaveLength(2);
  });

  it("opens a failing provider's circuit: later calls skip it, and with no route left the call says so", async () => {
    first.fallback = respondJson(503, { error: { message: "engine overloaded" } });
    second.fallback = echoing(second);
    const providers = [first.provider({ name: "a", priority: 1 }), second.provider({ name: "b", priority: 2 })];
    const gateway = gatewayWith(providers, { retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } });
    const backend = createOpenAiLoglikelihoodBackend({ upstream: await gateway.upstreamJsonModel("remote-model") });
    for (let call = 0; call < 3; call++) await backend.tokenize("once upon a time", { addBos: true });
    expect(first.hits).toHaveLength(2); // the third call skipped it
    expect(second.hits).toHaveLength(3);
    expect(gateway.providerHealth(providers[0]!).state).toBe("open");
    second.fallback = respondJson(503, { error: { message: "also overloaded" } });
    for (let call = 0; call < 2; call++) await expect(backend.tokenize("once", { addBos: true })).rejects.toThrow(/upstream b answered HTTP 503: also overloaded/);
    await expect(backend.tokenize("once", { addBos: true })).rejects.toBeInstanceOf(CircuitOpenError);
    expect(second.hits).toHaveLength(5);
  });

  it("does not retry an answer of the wrong shape, and refuses an unknown model", async () => {
    first.fallback = respondJson(200, { choices: [{ text: "x" }] });
    second.fallback = echoing(second);
    const gateway = gatewayWith([first.provider({ name: "a", priority: 1 }), second.provider({ name: "b", priority: 2 })]);
    const backend = createOpenAiLoglikelihoodBackend({ upstream: await gateway.upstreamJsonModel("remote-model") });
    const failure = await backend.tokenize("once", { addBos: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).isRetryable).toBe(false);
    expect((failure as Error).message).toMatch(/^upstream a sent a completions echo without prompt logprobs/);
    expect(first.hits).toHaveLength(1);
    expect(second.hits).toHaveLength(0);
    await expect(gateway.upstreamJsonModel("nope")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("gives a directly configured upstream a timeout too", async () => {
    first.fallback = respondNever;
    const backend = createOpenAiLoglikelihoodBackend({ baseUrl: first.baseUrl, model: "m", timeoutMs: 100 });
    const host = new URL(first.baseUrl).host;
    await expect(backend.tokenize("once", { addBos: true })).rejects.toThrow(new UpstreamTimeoutError({ message: `upstream ${host} sent no response within 100 ms` }));
    // An answer that stalls after its headers is bounded by the same timeout.
    first.fallback = (response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"choices": [');
    };
    await expect(backend.tokenize("once", { addBos: true })).rejects.toThrow(new UpstreamTimeoutError({ message: `upstream ${host} sent no complete answer within 100 ms` }));
  });
});

describe("reranking through the gateway", () => {
  const documents = ["alpha", "beta", "gamma"];
  const scores = respondJson(200, { results: [{ index: 2, relevance_score: 0.9 }, { index: 0, relevance_score: 0.5 }, { index: 1, relevance_score: 0.1 }], usage: { total_tokens: 12 } });

  it("fails over from a failing provider to the next one, and reports the answer's usage", async () => {
    first.fallback = respondJson(500, { error: { message: "reranker crashed" } });
    second.fallback = scores;
    const gateway = gatewayWith([first.provider({ name: "a", priority: 1, models: ["Ranker"] }), second.provider({ name: "b", priority: 2, models: ["ranker"] })]);
    const model = await gateway.rerankingModel("RANKER");
    const usage: Array<number | undefined> = [];
    expect(await model.rerank("query", documents, { onUsage: ({ inputTokens }) => usage.push(inputTokens) })).toEqual([0.5, 0.1, 0.9]);
    expect(usage).toEqual([12]);
    expect(first.hits).toHaveLength(3);
    expect(first.hits[0]).toMatchObject({ path: "/v1/rerank", body: { model: "Ranker", query: "query", documents, top_n: 3 } });
    expect(second.hits).toEqual([{ path: "/v1/rerank", authorization: "Bearer sk-upstream", body: { model: "ranker", query: "query", documents, top_n: 3 } }]);
  });

  it("opens the circuit of a provider whose /rerank keeps failing, and times out one that never answers", async () => {
    first.fallback = respondJson(502, { error: { message: "bad gateway" } });
    second.fallback = scores;
    const providers = [first.provider({ name: "a", priority: 1 }), second.provider({ name: "b", priority: 2 })];
    const gateway = gatewayWith(providers, { retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 } });
    const model = await gateway.rerankingModel("remote-model");
    await model.rerank("query", documents);
    await model.rerank("query", documents);
    expect(first.hits).toHaveLength(1);
    expect(second.hits).toHaveLength(2);
    expect(gateway.providerHealth(providers[0]!).state).toBe("open");

    const stalled = gatewayWith([second.provider({ name: "slow", timeoutMs: 100 })], { retry: { maxRetries: 0 } });
    second.fallback = respondNever;
    await expect((await stalled.rerankingModel("remote-model")).rerank("query", documents)).rejects.toThrow("upstream slow sent no response within 100 ms");
  });

  it("ends at once when the caller aborts, without failing over", async () => {
    first.fallback = respondNever;
    second.fallback = scores;
    const gateway = gatewayWith([first.provider({ name: "a", priority: 1 }), second.provider({ name: "b", priority: 2 })]);
    const controller = new AbortController();
    const reason = new Error("client gone");
    const reranking = (await gateway.rerankingModel("remote-model")).rerank("query", documents, { abortSignal: controller.signal });
    await first.waitForHits(1);
    controller.abort(reason);
    await expect(reranking).rejects.toBe(reason);
    expect(second.hits).toHaveLength(0);
  });
});
