import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createGateway, type GatewayOptions } from "../../src/gateway/index.js";
import { createRuntime, type Runtime } from "../../src/runtime/index.js";
import { InvalidRequestError, UpstreamError, type LanguageModelCallOptions } from "../../src/spec/index.js";
import type { ProviderId } from "../../src/spec/index.js";
import type { ProviderRecord } from "../../src/store/records.js";
import { collect } from "../runtime/runtime-fixtures.js";
import { respondJson } from "./fake-upstream.js";
import { afterGate, answerFrom, Gate, PoolMember, upstreamFailure, waitForChatHits } from "./pool-member.js";

// Providers of equal priority form a pool: calls go to the member with the fewest requests in flight (ties: the one
// picked longest ago), a failing member's calls move on to its siblings at once, and the next priority is tried only
// when the whole pool is out. Real HTTP upstreams; the gateway's waits advance a fake clock.
let runtime: Runtime;
const members: PoolMember[] = [];

beforeAll(async () => {
  runtime = createRuntime({ gpu: "cpu", threads: 1 });
  for (const name of ["a", "b", "c", "backup"]) members.push(await PoolMember.start(name));
});

afterAll(async () => {
  for (const member of members) await member.stop();
  await runtime.dispose();
});

/** A fresh model name per test, so that no breaker or turn order is shared between tests. */
let modelCounter = 0;

type Pool = { model: string; providers: ProviderRecord[]; member(name: string): PoolMember; hitsBefore: Map<string, number> };

/** Providers over the members, `name → priority`, all serving one new model name; hit counts are taken from now on. */
function pool(priorities: Record<string, number>): Pool {
  const model = `pooled-${++modelCounter}`;
  const member = (name: string) => members.find((candidate) => candidate.name === name)!;
  const providers = Object.entries(priorities).map(([name, priority], index): ProviderRecord => ({
    id: `${name}-${model}` as ProviderId,
    name,
    baseUrl: member(name).baseUrl,
    apiKey: undefined,
    models: [model],
    priority,
    timeoutMs: 5000,
    createdAt: 1_700_000_000_000 + index,
  }));
  for (const candidate of members) candidate.chat = answerFrom(candidate.name);
  return { model, providers, member, hitsBefore: new Map(members.map((candidate) => [candidate.name, candidate.chatHits])) };
}

/** Chat completions each member received since the pool was set up. */
function hitsSince(setup: Pool): Record<string, number> {
  return Object.fromEntries(setup.providers.map((provider) => [provider.name, setup.member(provider.name).chatHits - setup.hitsBefore.get(provider.name)!]));
}

function gatewayOver(setup: Pool, options: { delays?: number[]; clock?: { now: number } } & Partial<GatewayOptions> = {}) {
  const clock = options.clock ?? { now: 1_000_000 };
  return createGateway({
    findLocalModel: async () => undefined,
    listLocalModels: async () => [],
    listProviders: async () => setup.providers,
    runtime,
    now: () => clock.now,
    delay: async (milliseconds) => {
      options.delays?.push(milliseconds);
      clock.now += milliseconds;
    },
    ...options,
  });
}

function chatCall(stream: boolean): LanguageModelCallOptions {
  return { prompt: { type: "chat", messages: [{ role: "user", content: "Hi" }] }, sampling: {}, stream };
}

async function complete(gateway: ReturnType<typeof gatewayOver>, model: string, stream = false) {
  const { model: resolved } = await gateway.languageModel(model);
  const result = await collect((await resolved.doStream(chatCall(stream))).stream);
  const metadata = result.parts.find((part) => part.type === "response-metadata");
  return { text: result.text, route: metadata?.type === "response-metadata" ? metadata.route : undefined, failedAttempts: metadata?.type === "response-metadata" ? metadata.failedAttempts : undefined };
}

describe("upstream pools: providers of equal priority", () => {
  it("spreads concurrent calls by requests in flight: 30 held calls over three members are 10 each", async () => {
    const setup = pool({ a: 1, b: 1, c: 1 });
    const gate = new Gate();
    for (const name of ["a", "b", "c"]) setup.member(name).chat = afterGate(gate, answerFrom(name));
    const gateway = gatewayOver(setup);
    const calls = Array.from({ length: 30 }, () => complete(gateway, setup.model));
    await waitForChatHits(["a", "b", "c"].map((name) => setup.member(name)), setup.providers.reduce((sum, provider) => sum + setup.hitsBefore.get(provider.name)!, 0) + 30);
    expect(hitsSince(setup)).toEqual({ a: 10, b: 10, c: 10 });
    expect(setup.providers.map((provider) => gateway.providerHealth(provider).outstanding)).toEqual([10, 10, 10]);
    gate.open();
    const results = await Promise.all(calls);
    const served = (name: string) => results.filter((result) => result.route === name && result.text === `from ${name}`).length;
    expect([served("a"), served("b"), served("c")]).toEqual([10, 10, 10]);
    expect(setup.providers.map((provider) => gateway.providerHealth(provider).outstanding)).toEqual([0, 0, 0]);
  });

  it("takes turns when nothing is in flight, and never uses the next priority while the pool serves", async () => {
    const setup = pool({ a: 5, b: 5, c: 5, backup: 9 });
    const gateway = gatewayOver(setup);
    const routes: (string | undefined)[] = [];
    for (let index = 0; index < 6; index++) routes.push((await complete(gateway, setup.model)).route);
    expect(routes).toEqual(["a", "b", "c", "a", "b", "c"]);
    expect(hitsSince(setup)).toEqual({ a: 2, b: 2, c: 2, backup: 0 });
  });

  it("a streamed call counts as in flight until its stream ends", async () => {
    const setup = pool({ a: 1, b: 1 });
    const gateway = gatewayOver(setup);
    const { model } = await gateway.languageModel(setup.model);
    const { stream } = await model.doStream(chatCall(true));
    const reader = stream.getReader();
    for (let next = await reader.read(); next.value?.type !== "text-delta"; next = await reader.read());
    expect(setup.providers.map((provider) => gateway.providerHealth(provider).outstanding)).toEqual([1, 0]);
    // With a in flight, the next call goes to b.
    expect((await complete(gateway, setup.model)).route).toBe("b");
    for (let next = await reader.read(); !next.done; next = await reader.read());
    expect(setup.providers.map((provider) => gateway.providerHealth(provider).outstanding)).toEqual([0, 0]);
  });

  it("moves a failed call to a sibling at once, circuit-breaks the failing member and shares its calls out", async () => {
    const setup = pool({ a: 1, b: 1, c: 1 });
    setup.member("b").chat = upstreamFailure;
    const delays: number[] = [];
    const gateway = gatewayOver(setup, { delays, circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } });
    const results = [];
    for (let index = 0; index < 12; index++) results.push(await complete(gateway, setup.model));
    // No call failed, and no call waited: each failure on b moved on to a sibling at once.
    expect(results.every((result) => result.route !== "b" && result.text === `from ${result.route}`)).toBe(true);
    expect(delays).toEqual([]);
    expect(hitsSince(setup)).toEqual({ a: 6, b: 2, c: 6 });
    const [, broken] = setup.providers.map((provider) => gateway.providerHealth(provider));
    expect(broken).toMatchObject({ state: "open", outstanding: 0 });
    // The calls that met b's failures name the abandoned attempt (its usage may still be billed).
    expect(results.filter((result) => result.failedAttempts?.length === 1 && result.failedAttempts[0]?.route === "b")).toHaveLength(2);
  });

  it("fails over to the next priority only when every member of the pool is out, retrying the pool after its backoff", async () => {
    const setup = pool({ a: 1, b: 1, backup: 2 });
    setup.member("a").chat = upstreamFailure;
    setup.member("b").chat = upstreamFailure;
    const delays: number[] = [];
    const gateway = gatewayOver(setup, { delays, retry: { maxRetries: 1 } });
    const result = await complete(gateway, setup.model);
    expect(result.route).toBe("backup");
    // a and b at once, both again after one backoff, then the backup.
    expect(hitsSince(setup)).toEqual({ a: 2, b: 2, backup: 1 });
    expect(delays).toEqual([200]);
    expect(result.failedAttempts?.map((attempt) => attempt.route)).toEqual(["a", "b", "a", "b"]);
  });

  it("throws the last failure when every pool is out", async () => {
    const setup = pool({ a: 1, b: 1, c: 3 });
    for (const name of ["a", "b", "c"]) setup.member(name).chat = upstreamFailure;
    const gateway = gatewayOver(setup, { retry: { maxRetries: 0 } });
    const error = await complete(gateway, setup.model).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(hitsSince(setup)).toEqual({ a: 1, b: 1, c: 1 });
  });

  it("a member's Retry-After sends the call to a sibling at once and skips the member until then", async () => {
    const clock = { now: 3_000_000 };
    const setup = pool({ a: 1, b: 1 });
    setup.member("a").chat = respondJson(503, { error: { message: "warming up" } }, { "retry-after": "2" });
    const delays: number[] = [];
    const gateway = gatewayOver(setup, { clock, delays });
    expect((await complete(gateway, setup.model)).route).toBe("b");
    expect(delays).toEqual([]);
    setup.member("a").chat = answerFrom("a");
    // Paused: every call goes to b, although a's turn comes first.
    for (let index = 0; index < 3; index++) expect((await complete(gateway, setup.model)).route).toBe("b");
    expect(hitsSince(setup)).toEqual({ a: 1, b: 4 });
    clock.now += 2000;
    expect((await complete(gateway, setup.model)).route).toBe("a");
  });

  it("a pool of one keeps the single route's retries: waits out a short Retry-After, then answers", async () => {
    const clock = { now: 4_000_000 };
    const setup = pool({ a: 1, backup: 2 });
    let first = true;
    setup.member("a").chat = (response, request) => {
      if (!first) return answerFrom("a")(response, request);
      first = false;
      void respondJson(429, { error: { message: "slow down" } }, { "retry-after": "1" })(response, request);
    };
    const delays: number[] = [];
    const result = await complete(gatewayOver(setup, { clock, delays }), setup.model);
    expect(result.route).toBe("a");
    expect(delays).toEqual([1001]);
    expect(hitsSince(setup)).toEqual({ a: 2, backup: 0 });
  });
});

describe("upstream health checks", () => {
  it("run only between start and dispose, and mark an engine down and up again", async () => {
    const setup = pool({ a: 1, b: 1 });
    const changes: string[] = [];
    const gateway = gatewayOver(setup, { healthCheck: { intervalMs: 10, onChange: (provider, check) => changes.push(`${provider.name} ${check.status}`) } });
    const [first, second] = setup.providers as [ProviderRecord, ProviderRecord];
    expect(gateway.providerHealth(first).healthCheck).toBeUndefined();
    setup.member("b").healthy = false;
    gateway.start();
    while (gateway.providerHealth(second).healthCheck?.status !== "down") await new Promise((resolve) => setTimeout(resolve, 5));
    expect(gateway.providerHealth(first).healthCheck).toMatchObject({ status: "up", error: undefined });
    expect(gateway.providerHealth(second).healthCheck?.error).toBe("upstream b answered HTTP 503: b is restarting");
    // b is down: a serves every call, though b's turn would come.
    for (let index = 0; index < 3; index++) expect((await complete(gateway, setup.model)).route).toBe("a");
    setup.member("b").healthy = true;
    while (gateway.providerHealth(second).healthCheck?.status !== "up") await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await complete(gateway, setup.model)).route).toBe("b");
    expect(changes).toEqual(["b down", "b up"]);
    setup.member("b").healthy = false;
    setup.member("a").healthy = false;
    await gateway.dispose();
    const checks = setup.member("a").modelListHits;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(setup.member("a").modelListHits).toBe(checks);
    setup.member("a").healthy = true;
    setup.member("b").healthy = true;
  });

  it("are set with AIPLUS_UPSTREAM_HEALTH_CHECK_SECONDS (default 0: off); a bad value is a clear error", () => {
    const home = "/tmp/aiplus-pools-config";
    expect(loadConfig({ environment: {}, flags: { home } }).upstreamHealthCheckSeconds).toBe(0);
    expect(loadConfig({ environment: { AIPLUS_UPSTREAM_HEALTH_CHECK_SECONDS: "2.5" }, flags: { home } }).upstreamHealthCheckSeconds).toBe(2.5);
    for (const value of ["-1", "soon", "3601"]) {
      const error = (() => {
        try {
          return loadConfig({ environment: { AIPLUS_UPSTREAM_HEALTH_CHECK_SECONDS: value }, flags: { home } });
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).message).toMatch(/^invalid setting AIPLUS_UPSTREAM_HEALTH_CHECK_SECONDS: /);
    }
  });
});
