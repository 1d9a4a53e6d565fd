import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLanguageModelGenerationBackend,
  createLocalLoglikelihoodBackend,
  createOpenAiGenerationBackend,
  createOpenAiLoglikelihoodBackend,
  evaluateMultipleChoiceItem,
  getBuiltInTask,
  type LoglikelihoodBackend,
} from "../../src/eval/index.js";
import type { RegisteredModel, Runtime } from "../../src/runtime/index.js";
import { ContextOverflowError, InvalidRequestError, UpstreamError } from "../../src/spec/index.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { datasetPath } from "./support/datasets-path.js";
import { createTestRuntime, registeredEvalModel } from "./support/local-backend.js";

let runtime: Runtime;
let model: RegisteredModel;
let local: LoglikelihoodBackend;
let server: TestServer;

beforeAll(async () => {
  runtime = createTestRuntime();
  model = await registeredEvalModel("stories260K.gguf");
  local = createLocalLoglikelihoodBackend(runtime, model);
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
});
afterAll(async () => {
  await runtime.dispose();
  await server?.close();
});

describe("local log-likelihood backend", () => {
  it("adds BOS as the GGUF asks and scores the shared prefix once, equal to scoring each request alone", async () => {
    const withBos = await local.tokenize("Once upon a time", { addBos: true });
    const without = await local.tokenize("Once upon a time", { addBos: false });
    expect(withBos).toEqual([1, ...without]);
    expect(local.prefixTokenId).toBe(1);
    const a = await local.tokenize("Once upon a time, there was a little girl named Lily.", { addBos: true });
    const b = await local.tokenize("Once upon a time, there was a big dog.", { addBos: true });
    const together = await local.scoreTokens([{ tokens: a, from: 3 }, { tokens: b, from: 5 }]);
    const alone = [(await local.scoreTokens([{ tokens: a, from: 3 }]))[0]!, (await local.scoreTokens([{ tokens: b, from: 5 }]))[0]!];
    expect(together.map((values) => values.length)).toEqual([a.length - 3, b.length - 5]);
    expect(together).toEqual(alone);
    expect(together.flat().every((value) => value < 0 && Number.isFinite(value))).toBe(true);
    // the trained model finds the real story likelier than a shuffled one
    const shuffled = await local.tokenize("Once upon a time, Lily there named girl little a was.", { addBos: true });
    const [real, odd] = await local.scoreTokens([{ tokens: a, from: 5 }, { tokens: shuffled, from: 5 }]);
    expect(real!.reduce((sum, value) => sum + value, 0)).toBeGreaterThan(odd!.reduce((sum, value) => sum + value, 0));
  });

  it("rejects bad requests with clear errors and keeps working", async () => {
    const tokens = await local.tokenize("Once upon a time", { addBos: true });
    await expect(local.scoreTokens([{ tokens, from: 0 }])).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(local.scoreTokens([{ tokens: [1, 999_999], from: 1 }])).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(local.scoreTokens([{ tokens: new Array(5000).fill(300), from: 1 }])).rejects.toBeInstanceOf(ContextOverflowError);
    const aborted = AbortSignal.abort();
    await expect(local.scoreTokens([{ tokens, from: 1 }], { signal: aborted })).rejects.toThrow();
    expect((await local.scoreTokens([{ tokens, from: 1 }]))[0]).toHaveLength(tokens.length - 1);
    expect(() => createLocalLoglikelihoodBackend(runtime, { ...model, kind: "embedding" })).toThrow(InvalidRequestError);
  });
});

describe("OpenAI-compatible backends against a real aiplus server", () => {
  it("scores through /v1/completions echo the same as in-process (lm-eval convention)", async () => {
    const remote = createOpenAiLoglikelihoodBackend({ baseUrl: `${server.url}/v1`, apiKey: server.adminKey, model: "stories" });
    expect(remote.description).toContain("#stories");
    const task = getBuiltInTask("arc_challenge");
    if (task.kind !== "loglikelihood") throw new Error("arc_challenge is a log-likelihood task");
    const items = await task.loadItems({ path: datasetPath("arc", "ARC-Challenge-Test.first200.jsonl") });
    for (const item of items.slice(0, 3)) {
      const [viaHttp, inProcess] = [
        await evaluateMultipleChoiceItem(remote, item, { convention: "lm-eval" }),
        await evaluateMultipleChoiceItem(local, item, { convention: "lm-eval" }),
      ];
      // the server decodes in other batch shapes (F16 KV cache): sums agree up to that noise
      viaHttp.scores.forEach((score, index) => expect(Math.abs(score - inProcess.scores[index]!)).toBeLessThan(0.1));
      // so the predictions must agree wherever the in-process winner leads by more than twice that noise
      const [best, runnerUp] = [...inProcess.scores].sort((a, b) => b - a);
      if (best! - runnerUp! > 0.2) expect(viaHttp.prediction).toBe(inProcess.prediction);
    }
    const tokens = await remote.tokenize("Once upon a time", { addBos: true });
    await expect(remote.scoreTokens([{ tokens, from: 1 }])).rejects.toBeInstanceOf(InvalidRequestError); // the first text token has no logprob
  });

  it("generates greedily through /v1/completions and /v1/chat/completions, and in-process", async () => {
    const options = { maxTokens: 12, stop: ["."], temperature: 0 };
    const viaCompletions = await createOpenAiGenerationBackend({ baseUrl: `${server.url}/v1`, apiKey: server.adminKey, model: "stories" }).generate("Once upon a time", options);
    const inProcess = await createLanguageModelGenerationBackend(runtime.languageModel(model)).generate("Once upon a time", options);
    expect(viaCompletions).toBe(", there was a little girl named Lily");
    expect(inProcess).toBe(viaCompletions);
    const viaChat = await createOpenAiGenerationBackend({ baseUrl: `${server.url}/v1`, apiKey: server.adminKey, model: "stories", endpoint: "chat" }).generate("Hi", options);
    expect(typeof viaChat).toBe("string");
    await expect(createOpenAiGenerationBackend({ baseUrl: `${server.url}/v1`, apiKey: "aip_wrong", model: "stories" }).generate("x", options)).rejects.toBeInstanceOf(UpstreamError);
  });
});

describe("upstream failure modes (fake upstream)", () => {
  it("turns HTTP errors, non-JSON and echo-less answers into UpstreamError", async () => {
    const answers = [
      { status: 500, body: "boom" },
      { status: 200, body: "not json" },
      { status: 200, body: JSON.stringify({ choices: [{ text: "x" }] }) },
    ];
    const upstream = http.createServer((_request, response) => {
      const answer = answers.shift()!;
      response.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    try {
      const backend = createOpenAiLoglikelihoodBackend({ baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`, model: "m" });
      for (let attempt = 0; attempt < 3; attempt++) await expect(backend.tokenize("hello", { addBos: true })).rejects.toBeInstanceOf(UpstreamError);
    } finally {
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
