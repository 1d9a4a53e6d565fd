import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type GatewayOptions } from "../../src/gateway/index.js";
import { createRuntime, type Runtime } from "../../src/runtime/index.js";
import {
  CircuitOpenError,
  NotFoundError,
  UpstreamError,
  UpstreamTimeoutError,
  type LanguageModelCallOptions,
} from "../../src/spec/index.js";
import type { ProviderRecord } from "../../src/store/records.js";
import { collect } from "../runtime/runtime-fixtures.js";
import {
  chatDelta,
  chatFinish,
  FakeUpstream,
  respondJson,
  respondNever,
  respondSse,
  respondSseThenCut,
  respondSseThenHold,
  usageChunk,
} from "./fake-upstream.js";

let runtime: Runtime;
let first: FakeUpstream;
let second: FakeUpstream;

beforeAll(async () => {
  // A real runtime with nothing registered: the routes under test are all upstream.
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

const success = () => respondSse([chatDelta("served"), chatFinish("stop"), usageChunk({ prompt_tokens: 4, completion_tokens: 1 })]);
const serverError = respondJson(500, { error: { message: "internal upstream failure" } });

function chatCall(overrides: Partial<LanguageModelCallOptions> = {}): LanguageModelCallOptions {
  return { prompt: { type: "chat", messages: [{ role: "user", content: "Hi" }] }, sampling: {}, ...overrides };
}

type Setup = { providers?: ProviderRecord[]; delays?: number[]; clock?: { now: number } } & Partial<GatewayOptions>;

function gatewayWith(setup: Setup = {}) {
  const providers = setup.providers ?? [first.provider({ name: "a", priority: 1 }), second.provider({ name: "b", priority: 2 })];
  const delays = setup.delays ?? [];
  return createGateway({
    findLocalModel: async () => undefined,
    listLocalModels: async () => [],
    listProviders: async () => providers,
    runtime,
    delay: async (milliseconds) => {
      delays.push(milliseconds);
    },
    ...(setup.clock ? { now: () => setup.clock!.now } : {}),
    ...setup,
  });
}

async function streamThrough(gateway: ReturnType<typeof gatewayWith>, call = chatCall()) {
  const { model } = await gateway.languageModel("remote-model");
  return collect((await model.doStream(call)).stream);
}

function routeOf(parts: Awaited<ReturnType<typeof collect>>["parts"]): string | undefined {
  const metadata = parts.find((part) => part.type === "response-metadata");
  return metadata?.type === "response-metadata" ? metadata.route : undefined;
}

describe("gateway: resolution", () => {
  it("throws NotFoundError for a model no route serves", async () => {
    const error = await gatewayWith().languageModel("nope").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe("The model 'nope' does not exist");
    await expect(gatewayWith().embeddingModel("nope")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists provider models once each, owned by the highest-priority provider", async () => {
    const providers = [
      second.provider({ name: "b", priority: 2, models: ["remote-model", "only-b"] }),
      first.provider({ name: "a", priority: 1, models: ["remote-model"] }),
    ];
    const listing = await gatewayWith({ providers }).listModels();
    expect(listing.map(({ id, ownedBy, kind }) => ({ id, ownedBy, kind }))).toEqual([
      { id: "remote-model", ownedBy: "a", kind: "llm" },
      { id: "only-b", ownedBy: "b", kind: "llm" },
    ]);
    expect(listing[0]?.created).toBe(1_700_000_000);
  });
});

describe("gateway: retries and failover before the first byte", () => {
  it("retries a route on 5xx with exponential backoff, then streams from it", async () => {
    first.script(serverError, respondJson(502, { error: { message: "bad gateway" } }), success());
    const delays: number[] = [];
    const result = await streamThrough(gatewayWith({ delays }));
    expect(result.text).toBe("served");
    expect(routeOf(result.parts)).toBe("a");
    expect(first.hits).toHaveLength(3);
    expect(second.hits).toHaveLength(0);
    expect(delays).toEqual([200, 400]);
    expect(result.finish?.usage).toMatchObject({ inputTokens: 4, outputTokens: 1 });
  });

  it("caps the backoff at maxDelayMs", async () => {
    first.script(serverError, serverError, serverError, success());
    const delays: number[] = [];
    const gateway = gatewayWith({ delays, retry: { maxRetries: 3, initialDelayMs: 300, maxDelayMs: 500 } });
    expect((await streamThrough(gateway)).text).toBe("served");
    expect(delays).toEqual([300, 500, 500]);
  });

  it("fails over to the next provider serving the model once retries are exhausted", async () => {
    first.script(serverError, serverError, serverError);
    second.script(success());
    const result = await streamThrough(gatewayWith());
    expect(result.text).toBe("served");
    expect(routeOf(result.parts)).toBe("b");
    expect(first.hits).toHaveLength(3);
    expect(second.hits).toHaveLength(1);
    expect(second.hits[0]?.body.model).toBe("remote-model");
  });

  it("fails over after upstream timeouts and throws the last error when every route fails", async () => {
    first.script(respondNever, respondNever);
    second.script(success());
    const providers = [first.provider({ name: "a", priority: 1, timeoutMs: 100 }), second.provider({ name: "b", priority: 2 })];
    const result = await streamThrough(gatewayWith({ providers, retry: { maxRetries: 1 } }));
    expect(routeOf(result.parts)).toBe("b");
    expect(first.hits).toHaveLength(2);

    first.script(respondNever);
    second.script(serverError);
    const error = await streamThrough(gatewayWith({ providers, retry: { maxRetries: 0 } })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ upstreamStatus: 500 });
  });

  it("propagates an upstream 400 at once: no retry, no failover", async () => {
    first.script(respondJson(400, { error: { message: "unsupported parameter: top_k" } }));
    second.script(success());
    const error = await streamThrough(gatewayWith()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ upstreamStatus: 400, isRetryable: false });
    expect(first.hits).toHaveLength(1);
    expect(second.hits).toHaveLength(0);
  });

  it("passes a stream cut mid-way through as an error part, after the partial text, without retrying", async () => {
    first.script(respondSseThenCut([chatDelta("half an ")]));
    second.script(success());
    const result = await streamThrough(gatewayWith());
    expect(result.text).toBe("half an ");
    expect(result.parts.at(-1)?.type).toBe("error");
    expect(result.finish).toBeUndefined();
    expect(first.hits).toHaveLength(1);
    expect(second.hits).toHaveLength(0);
  });

  it("stops retrying when the caller aborts during the backoff", async () => {
    first.script(serverError);
    second.script(success());
    const gateway = createGateway({
      findLocalModel: async () => undefined,
      listLocalModels: async () => [],
      listProviders: async () => [first.provider({ name: "a", priority: 1 }), second.provider({ name: "b", priority: 2 })],
      runtime,
      retry: { initialDelayMs: 60_000 },
    });
    const controller = new AbortController();
    const { model } = await gateway.languageModel("remote-model");
    const pending = model.doStream(chatCall({ abortSignal: controller.signal }));
    await first.waitForHits(1);
    controller.abort(new Error("client disconnected"));
    await expect(pending).rejects.toThrow("client disconnected");
    expect(first.hits).toHaveLength(1);
    expect(second.hits).toHaveLength(0);
  });

  it("aborting a started stream closes the upstream connection", async () => {
    first.script(respondSseThenHold([chatDelta("tick")]));
    const controller = new AbortController();
    const { model } = await gatewayWith().languageModel("remote-model");
    const { stream } = await model.doStream(chatCall({ abortSignal: controller.signal }));
    const reader = stream.getReader();
    for (let next = await reader.read(); next.value?.type !== "text-delta"; next = await reader.read());
    controller.abort();
    await first.closed[0];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      if (next.value.type === "finish") expect(next.value.finishReason.unified).toBe("cancelled");
    }
  });
});

describe("gateway: circuit breaker", () => {
  it("opens after consecutive failures, skips the route while open, and closes after a successful half-open trial", async () => {
    const clock = { now: 1_000_000 };
    const gateway = gatewayWith({ clock, retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 2, cooldownMs: 10_000 } });
    first.fallback = serverError;
    second.script(success(), success(), success());
    expect(routeOf((await streamThrough(gateway)).parts)).toBe("b");
    expect(routeOf((await streamThrough(gateway)).parts)).toBe("b");
    expect(first.hits).toHaveLength(2);
    // Open: the first route is not even tried.
    expect(routeOf((await streamThrough(gateway)).parts)).toBe("b");
    expect(first.hits).toHaveLength(2);

    // Half-open after the cooldown: one trial call, which succeeds and closes the circuit.
    clock.now += 10_000;
    first.script(success(), success());
    expect(routeOf((await streamThrough(gateway)).parts)).toBe("a");
    expect(routeOf((await streamThrough(gateway)).parts)).toBe("a");
    expect(first.hits).toHaveLength(4);
    expect(second.hits).toHaveLength(3);
  });

  it("reopens when the half-open trial fails, and throws CircuitOpenError when every route is open", async () => {
    const clock = { now: 5_000_000 };
    const providers = [first.provider({ name: "a", priority: 1 })];
    const gateway = gatewayWith({ providers, clock, retry: { maxRetries: 3 }, circuitBreaker: { failureThreshold: 2, cooldownMs: 1000 } });
    first.fallback = serverError;
    // Two failures open the circuit: the remaining retries are skipped.
    const firstError = await streamThrough(gateway).catch((caught: unknown) => caught);
    expect(firstError).toBeInstanceOf(UpstreamError);
    expect(first.hits).toHaveLength(2);
    const openError = await streamThrough(gateway).catch((caught: unknown) => caught);
    expect(openError).toBeInstanceOf(CircuitOpenError);
    expect((openError as CircuitOpenError).statusCode).toBe(503);
    expect(first.hits).toHaveLength(2);

    clock.now += 1000;
    await expect(streamThrough(gateway)).rejects.toBeInstanceOf(UpstreamError);
    expect(first.hits).toHaveLength(3); // exactly one trial call
    await expect(streamThrough(gateway)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(first.hits).toHaveLength(3);
  });

  it("counts a stream cut mid-way as a route failure", async () => {
    const clock = { now: 9_000_000 };
    const gateway = gatewayWith({ clock, retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 1, cooldownMs: 1000 } });
    first.script(respondSseThenCut([chatDelta("x")]));
    second.script(success());
    expect((await streamThrough(gateway)).parts.at(-1)?.type).toBe("error");
    expect(routeOf((await streamThrough(gateway)).parts)).toBe("b");
    expect(first.hits).toHaveLength(1);
  });
});

describe("gateway: embeddings", () => {
  it("fails over between providers for an embedding model", async () => {
    const providers = [first.provider({ name: "a", priority: 1, models: ["embedder"] }), second.provider({ name: "b", priority: 2, models: ["embedder"] })];
    first.script(serverError);
    second.script(respondJson(200, { data: [{ index: 0, embedding: [2, 0] }], usage: { prompt_tokens: 1 } }));
    const model = await gatewayWith({ providers, retry: { maxRetries: 0 } }).embeddingModel("embedder");
    expect(await model.doEmbed({ values: ["hello"] })).toEqual({ embeddings: [[1, 0]], usage: { inputTokens: 1 } });
    expect(first.hits).toHaveLength(1);
    expect(second.hits[0]?.path).toBe("/v1/embeddings");
  });

  it("does not fail over on a non-retryable embedding error", async () => {
    const providers = [first.provider({ name: "a", priority: 1, models: ["embedder"] }), second.provider({ name: "b", priority: 2, models: ["embedder"] })];
    first.script(respondJson(400, { error: { message: "input too long" } }));
    const model = await gatewayWith({ providers }).embeddingModel("embedder");
    await expect(model.doEmbed({ values: ["hello"] })).rejects.toMatchObject({ upstreamStatus: 400 });
    expect(second.hits).toHaveLength(0);
  });
});

it("times out through the gateway with UpstreamTimeoutError when the only route never answers", async () => {
  first.script(respondNever);
  const providers = [first.provider({ name: "a", priority: 1, timeoutMs: 100 })];
  await expect(streamThrough(gatewayWith({ providers, retry: { maxRetries: 0 } }))).rejects.toBeInstanceOf(UpstreamTimeoutError);
});
