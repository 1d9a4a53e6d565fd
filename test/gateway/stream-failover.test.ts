import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGateway, failedAttemptsOf, type GatewayOptions } from "../../src/gateway/index.js";
import { createRuntime, type Runtime } from "../../src/runtime/index.js";
import { CircuitOpenError, UpstreamError, type LanguageModelCallOptions, type LanguageModelStreamPart } from "../../src/spec/index.js";
import { collect } from "../runtime/runtime-fixtures.js";
import { chatDelta, chatFinish, FakeUpstream, respondJson, respondSse, respondSseCutAfter, respondSseThenCut, usageChunk } from "./fake-upstream.js";

// A provider that cuts its streams mid-way must be bypassed: the cut is a route failure, a call fails over while
// nothing has reached the caller, and the breaker opens after its threshold. An upstream's Retry-After is honoured.
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

const success = () => respondSse([chatDelta("whole answer"), chatFinish("stop"), usageChunk({ prompt_tokens: 4, completion_tokens: 2 })]);

type Setup = { clock: { now: number }; delays?: number[] } & Partial<GatewayOptions>;

/** A gateway over providers "a" (priority 10, first) and "b" (priority 20); its waits advance the clock. */
function gatewayWith(setup: Setup) {
  const delays = setup.delays ?? [];
  return createGateway({
    findLocalModel: async () => undefined,
    listLocalModels: async () => [],
    listProviders: async () => [first.provider({ name: "a", priority: 10 }), second.provider({ name: "b", priority: 20 })],
    runtime,
    now: () => setup.clock.now,
    delay: async (milliseconds) => {
      delays.push(milliseconds);
      setup.clock.now += milliseconds;
    },
    ...setup,
  });
}

function chatCall(stream: boolean): LanguageModelCallOptions {
  return { prompt: { type: "chat", messages: [{ role: "user", content: "Hi" }] }, sampling: {}, stream };
}

async function call(gateway: ReturnType<typeof gatewayWith>, stream: boolean) {
  const { model } = await gateway.languageModel("remote-model");
  const result = await collect((await model.doStream(chatCall(stream))).stream);
  const metadata = result.parts.find((part) => part.type === "response-metadata");
  return { ...result, route: metadata?.type === "response-metadata" ? metadata.route : undefined, ended: result.parts.at(-1)?.type };
}

describe("gateway: streams cut mid-way", () => {
  it("a non-streamed call fails over to the next route when the first cuts after 4 chunks", async () => {
    const gateway = gatewayWith({ clock: { now: 1_000_000 }, retry: { maxRetries: 0 } });
    first.fallback = respondSseCutAfter(4);
    second.fallback = success();
    for (let index = 0; index < 3; index++) {
      const result = await call(gateway, false);
      expect(result.route).toBe("b");
      expect(result.text).toBe("whole answer"); // nothing of the cut attempt is passed on
      expect(result.ended).toBe("finish");
    }
    expect(second.hits).toHaveLength(3);
  });

  it("a streamed call cut after content ends with an error, counts as a failure, and the breaker opens after its threshold", async () => {
    const clock = { now: 2_000_000 };
    const gateway = gatewayWith({ clock, retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 3, cooldownMs: 30_000 } });
    first.fallback = respondSseCutAfter(4);
    second.fallback = success();
    for (let index = 0; index < 3; index++) {
      const result = await call(gateway, true);
      expect(result.route).toBe("a");
      expect(result.text).toBe("0 1 2 3 ");
      expect(result.ended).toBe("error");
    }
    expect(first.hits).toHaveLength(3);
    // Open: streams go to the second provider without trying the first.
    for (let index = 0; index < 2; index++) expect((await call(gateway, true)).route).toBe("b");
    expect(first.hits).toHaveLength(3);

    // After the cooldown one trial goes to the first route; only a stream that finishes closes the circuit.
    clock.now += 30_000;
    first.script(success());
    expect((await call(gateway, true)).route).toBe("a");
    expect((await call(gateway, true)).text).toBe("0 1 2 3 "); // closed again: the fallback (cutting) answers
    expect(first.hits).toHaveLength(5);
  });

  it("a streamed call cut before any content fails over with nothing sent", async () => {
    const gateway = gatewayWith({ clock: { now: 3_000_000 }, retry: { maxRetries: 0 } });
    first.script(respondSseThenCut([]));
    second.script(success());
    const result = await call(gateway, true);
    expect(result.route).toBe("b");
    expect(result.text).toBe("whole answer");
    expect(result.parts.filter((part) => part.type === "stream-start")).toHaveLength(1);
  });
});

describe("gateway: usage of abandoned attempts", () => {
  const metadataOf = (parts: LanguageModelStreamPart[]) => parts.find((part) => part.type === "response-metadata");

  it("hands the served stream's metadata the abandoned attempts: reported usage, else content counted, else unknown", async () => {
    const gateway = gatewayWith({ clock: { now: 7_000_000 }, retry: { maxRetries: 1 } });
    // First attempt: an HTTP error (nothing known). Retry: two deltas and the upstream's usage, then a cut.
    first.script(respondJson(500, { error: { message: "boom" } }), respondSseThenCut([chatDelta("a"), chatDelta("b"), usageChunk({ prompt_tokens: 7, completion_tokens: 5 })]));
    second.script(success());
    const result = await call(gateway, false);
    expect(result.route).toBe("b");
    expect(result.text).toBe("whole answer");
    expect(metadataOf(result.parts)).toEqual({
      type: "response-metadata",
      route: "b",
      modelId: "remote-model",
      failedAttempts: [
        { route: "a", modelId: undefined, usage: { inputTokens: undefined, outputTokens: undefined } },
        { route: "a", modelId: "remote-model", usage: { inputTokens: 7, outputTokens: 5 } },
      ],
    });
  });

  it("a served stream with no abandoned attempt carries none", async () => {
    const gateway = gatewayWith({ clock: { now: 8_000_000 } });
    first.script(success());
    const result = await call(gateway, true);
    expect(metadataOf(result.parts)).toEqual({ type: "response-metadata", route: "a", modelId: "remote-model" });
  });

  it("a call whose every attempt failed throws an error that carries every attempt's usage", async () => {
    const gateway = gatewayWith({ clock: { now: 9_000_000 }, retry: { maxRetries: 0 } });
    first.script(respondSseCutAfter(4));
    second.script(respondSseCutAfter(2));
    const error = await call(gateway, false).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(failedAttemptsOf(error)).toEqual([
      { route: "a", modelId: "remote-model", usage: { inputTokens: undefined, outputTokens: 4 } },
      { route: "b", modelId: "remote-model", usage: { inputTokens: undefined, outputTokens: 2 } },
    ]);
    expect(failedAttemptsOf(new Error("not from the gateway"))).toEqual([]);
  });
});

describe("gateway: upstream Retry-After", () => {
  it("waits out a short Retry-After (instead of the backoff) before retrying the same route", async () => {
    const delays: number[] = [];
    const gateway = gatewayWith({ clock: { now: 4_000_000 }, delays });
    first.script(respondJson(503, { error: { message: "busy" } }, { "retry-after": "2" }), success());
    const result = await call(gateway, true);
    expect(result.route).toBe("a");
    expect(delays).toEqual([2001]);
    expect(first.hits).toHaveLength(2);
    expect(second.hits).toHaveLength(0);
  });

  it("fails over at once on a long Retry-After and leaves the route paused until then", async () => {
    const clock = { now: Date.now() }; // an HTTP date is read against the wall clock
    const delays: number[] = [];
    const gateway = gatewayWith({ clock, delays, retry: { maxRetryAfterMs: 5000 } });
    const later = new Date(clock.now + 120_000).toUTCString();
    first.script(respondJson(429, { error: { message: "slow down" } }, { "retry-after": later }));
    second.fallback = success();
    expect((await call(gateway, true)).route).toBe("b");
    expect(delays).toEqual([]);
    expect((await call(gateway, false)).route).toBe("b");
    expect(first.hits).toHaveLength(1);
    clock.now += 120_000;
    first.script(success());
    expect((await call(gateway, true)).route).toBe("a");
  });

  it("passes the Retry-After on when no route is left, then answers CircuitOpenError with the time left", async () => {
    const clock = { now: 6_000_000 };
    const gateway = createGateway({
      findLocalModel: async () => undefined,
      listLocalModels: async () => [],
      listProviders: async () => [first.provider({ name: "a", priority: 10 })],
      runtime,
      now: () => clock.now,
    });
    first.script(respondJson(503, { error: { message: "maintenance" } }, { "retry-after": "120" }));
    const error = await call(gateway, false).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).headers()).toEqual({ "retry-after": "120" });
    clock.now += 20_000;
    const open = await call(gateway, false).catch((caught: unknown) => caught);
    expect(open).toBeInstanceOf(CircuitOpenError);
    expect((open as CircuitOpenError).headers()).toEqual({ "retry-after": "100" });
    expect(first.hits).toHaveLength(1);
  });
});
