import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalLoglikelihoodBackend, evaluateMultipleChoiceItem, getBuiltInTask, llamaCppHellaswagOrder, parseLlamaPerplexityHellaswag } from "../../src/eval/index.js";
import { createRuntime, type PromptScorer, type RegisteredModel, type Runtime } from "../../src/runtime/index.js";
import { NativeScoreEngine, nativeScorerPath } from "../../src/runtime/native-score/index.js";
import { decodeScoreBody, encodeScoreRequest } from "../../src/runtime/native-score/score-protocol.js";
import { ScoreWorker } from "../../src/runtime/native-score/score-worker.js";
import { ContextOverflowError, InvalidRequestError, ServiceUnavailableError, type TokenLogprob } from "../../src/spec/index.js";
import { datasetPath } from "../eval/support/datasets-path.js";
import { estimateMemoryBytes } from "../../src/runtime/loaded-model.js";
import { collect, registeredTestModel } from "./runtime-fixtures.js";

// The native scorer (bin/aiplus-score of scripts/build-native.sh) against the in-process engine: same log-probabilities
// to 1e-4, same HellaSwag decisions as llama-perplexity, a crash that fails only the requests in flight, bad input
// answered with an error. These tests need the native build: without it they fail (CI builds it first).
const nativeDirectory = process.env.AIPLUS_NATIVE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "aiplus", "native");

function requireScorer(): string {
  const binary = nativeScorerPath("native", nativeDirectory);
  if (!binary) throw new Error(`no native scorer in ${nativeDirectory}/bin/aiplus-score: run scripts/build-native.sh (or set AIPLUS_NATIVE_DIR)`);
  return binary;
}

let binary: string;
let stories: RegisteredModel;
let tiny: RegisteredModel;
let inProcess: Runtime;
let native: Runtime;
let hellaswagItems: number[][][];

function commonPrefixLength(sequences: readonly (readonly number[])[]): number {
  const first = sequences[0]!;
  let length = Math.min(...sequences.map((sequence) => sequence.length)) - 1;
  for (const sequence of sequences) {
    let index = 0;
    while (index < length && sequence[index] === first[index]) index++;
    length = index;
  }
  return length;
}

async function hellaswagCandidates(scorer: PromptScorer, count: number): Promise<number[][][]> {
  const lines = (await fs.promises.readFile(datasetPath("hellaswag", "hellaswag_val_first200.txt"), "utf8")).split("\n");
  const items: number[][][] = [];
  for (let line = 0; items.length < count; line += 6) {
    const context = lines[line]!;
    items.push(await Promise.all(lines.slice(line + 2, line + 6).map((ending) => scorer.tokenize(`${context} ${ending}`, { addBos: true }))));
  }
  return items;
}

const maximumDifference = (left: readonly number[], right: readonly number[]): number => {
  expect(left).toHaveLength(right.length);
  return Math.max(0, ...left.map((value, index) => Math.abs(value - right[index]!)));
};

beforeAll(async () => {
  binary = requireScorer();
  stories = await registeredTestModel("stories260K.gguf");
  tiny = await registeredTestModel("llama-2-tiny-random.gguf");
  inProcess = createRuntime({ gpu: "cpu", threads: 1, sequences: 4, idleUnloadSeconds: 0 });
  native = createRuntime({ gpu: "cpu", threads: 1, sequences: 4, idleUnloadSeconds: 0, nativeScorerPath: binary });
  hellaswagItems = await hellaswagCandidates(inProcess.promptScorer!(stories), 12);
});
afterAll(async () => {
  await native?.dispose();
  await inProcess?.dispose();
});

describe("native prompt scoring: parity with the in-process engine", () => {
  it("tokenizes like the in-process engine (with and without BOS)", async () => {
    const text = "Once upon a time, there was a little girl named Lily. She loved to play outside.";
    for (const model of [stories, tiny]) {
      for (const addBos of [true, false]) {
        expect(await native.promptScorer!(model).tokenize(text, { addBos })).toEqual(await inProcess.promptScorer!(model).tokenize(text, { addBos }));
      }
    }
    const scorer = native.promptScorer!(stories);
    expect(scorer.prefixTokenId).toBe(inProcess.promptScorer!(stories).prefixTokenId);
  });

  it("scores HellaSwag candidates to 1e-4 of in-process scoring, alone and with several calls in flight (stories260K)", async () => {
    const local = inProcess.promptScorer!(stories);
    const remote = native.promptScorer!(stories);
    const score = (scorer: PromptScorer, candidates: number[][]) => {
      const from = commonPrefixLength(candidates);
      return scorer.scoreTokens(candidates.map((tokens) => ({ tokens, from })));
    };
    const expected: number[][][] = [];
    for (const candidates of hellaswagItems) expected.push(await score(local, candidates));
    const alone: number[][][] = [];
    for (const candidates of hellaswagItems) alone.push(await score(remote, candidates));
    const together = await Promise.all(hellaswagItems.map((candidates) => score(remote, candidates)));
    expect(maximumDifference(alone.flat(2), expected.flat(2))).toBeLessThan(1e-4);
    expect(maximumDifference(together.flat(2), expected.flat(2))).toBeLessThan(1e-4);
    expect(alone.flat(2).every((value) => Number.isFinite(value) && value < 0)).toBe(true);
  });

  it("scores to 1e-4 on a 32,000-token vocabulary (llama-2-tiny-random), requests without a shared prefix and from = 1", async () => {
    const texts = ["The quick brown fox jumps over the lazy dog.", "Hello world", "A"];
    const local = inProcess.promptScorer!(tiny);
    const remote = native.promptScorer!(tiny);
    const tokens = await Promise.all(texts.map((text) => local.tokenize(text, { addBos: true })));
    const requests = [...tokens.map((sequence) => ({ tokens: sequence, from: 1 })), { tokens: tokens[0]!, from: tokens[0]!.length }];
    const expected = await local.scoreTokens(requests);
    const ours = await remote.scoreTokens(requests);
    expect(ours.map((values) => values.length)).toEqual(expected.map((values) => values.length));
    expect(ours[3]).toEqual([]);
    expect(maximumDifference(ours.flat(), expected.flat())).toBeLessThan(1e-4);
  });

  it("echoes prompt logprobs and top_logprobs like the in-process engine (completions echo + logprobs)", async () => {
    const text = "Once upon a time, there was a little girl named Lily. She loved to play outside.";
    const echoed = async (runtime: Runtime, maxTokens: number): Promise<{ logprobs: (TokenLogprob | null)[]; text: string; usage: unknown }> => {
      const result = await collect(
        (await runtime.languageModel(stories).doStream({ prompt: { type: "text", text, echo: true }, sampling: { temperature: 0, maxTokens }, logprobs: { topLogprobs: 3 } })).stream,
      );
      const echo = result.parts.find((part) => part.type === "prompt-echo");
      if (echo?.type !== "prompt-echo" || !echo.logprobs) throw new Error("no prompt echo with logprobs");
      return { logprobs: echo.logprobs, text: result.text, usage: result.finish?.usage };
    };
    for (const maxTokens of [0, 4]) {
      const expected = await echoed(inProcess, maxTokens);
      const ours = await echoed(native, maxTokens);
      expect(ours.text).toBe(expected.text);
      expect(ours.usage).toEqual(expected.usage);
      expect(ours.logprobs).toHaveLength(expected.logprobs.length);
      expect(ours.logprobs[0]).toBeNull();
      for (const [index, entry] of ours.logprobs.entries()) {
        const reference = expected.logprobs[index]!;
        if (entry === null || reference === null) {
          expect(entry).toBe(reference);
          continue;
        }
        expect(entry.token).toBe(reference.token);
        expect(entry.bytes).toEqual(reference.bytes);
        expect(Math.abs(entry.logprob - reference.logprob)).toBeLessThan(1e-4);
        expect(entry.topLogprobs).toHaveLength(3);
        for (const [rank, alternative] of entry.topLogprobs.entries()) {
          expect(Math.abs(alternative.logprob - reference.topLogprobs[rank]!.logprob)).toBeLessThan(1e-4);
          // ties may order differently; a different token must have the same log-probability
          if (alternative.token !== reference.topLogprobs[rank]!.token) expect(Math.abs(alternative.logprob - reference.topLogprobs[rank]!.logprob)).toBeLessThan(1e-6);
        }
      }
    }
  });

  it("packs several groups into one batch (a token budget beyond llama.cpp's batch size) with the same results", async () => {
    const groups = hellaswagItems.map((candidates) => candidates.map((tokens) => ({ tokens, from: commonPrefixLength(candidates) })));
    const expected = await native.promptScorer!(stories).scoreTokens(groups.flat());
    const worker = new ScoreWorker({ binaryPath: binary, modelPath: stories.path, modelName: "stories260K", threads: 1, contextSize: 2048, sequences: 64, batchTokens: 2048 });
    try {
      const info = await worker.ready;
      const body = await worker.request((id) => encodeScoreRequest(id, groups, 0));
      const packed = decodeScoreBody(body, groups, 0, info.vocabularySize).flat().map((result) => Array.from(result.logprobs));
      expect(maximumDifference(packed.flat(), expected.flat())).toBeLessThan(1e-4);
    } finally {
      await worker.stop();
    }
  });

  it("agrees with llama-perplexity on HellaSwag items (llama.cpp convention, recorded reference)", async () => {
    const backend = createLocalLoglikelihoodBackend(native, stories);
    const definition = getBuiltInTask("hellaswag");
    if (definition.kind !== "loglikelihood") throw new Error("hellaswag is not a log-likelihood task");
    const items = await definition.loadItems({ path: datasetPath("hellaswag", "hellaswag_val_first200.txt") });
    const recorded = parseLlamaPerplexityHellaswag(await fs.promises.readFile(datasetPath("llamacpp-reference", "stories260K.hellaswag.first200.out"), "utf8"), llamaCppHellaswagOrder(200));
    const indexes = Array.from({ length: 16 }, (_, index) => index);
    const records = await Promise.all(indexes.map((index) => evaluateMultipleChoiceItem(backend, items[index]!, { convention: "llama.cpp" })));
    const agreeing = records.filter((record, index) => (record.metrics.acc === 1) === recorded.get(indexes[index]!));
    expect(agreeing).toHaveLength(indexes.length);
  });
});

describe("native prompt scoring: failures", () => {
  it("refuses bad requests with the in-process engine's errors", async () => {
    const scorer = native.promptScorer!(stories);
    await expect(scorer.scoreTokens([{ tokens: [1, 2, 3], from: 0 }])).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(scorer.scoreTokens([{ tokens: [1, 2, 3], from: 4 }])).rejects.toThrow(/from must be an integer from 1 to 3/);
    await expect(scorer.scoreTokens([{ tokens: [1, 2, 999_999], from: 1 }])).rejects.toThrow(/token ids must be integers from 0 to 511/);
    await expect(scorer.scoreTokens([{ tokens: Array.from({ length: 2049 }, () => 5), from: 1 }])).rejects.toBeInstanceOf(ContextOverflowError);
    expect(await scorer.scoreTokens([])).toEqual([]);
    // and still works
    expect((await scorer.scoreTokens([{ tokens: [1, 2, 3], from: 1 }]))[0]).toHaveLength(2);
  });

  it("a killed worker fails the requests in flight with a clear 503, and the next request starts a new one", async () => {
    const engine = new NativeScoreEngine({ binaryPath: binary, threads: 1, contextSize: undefined, idleStopSeconds: 0, logger: { info() {}, warn() {}, error() {}, debug() {} } });
    try {
      const tokens = hellaswagItems[0]![0]!;
      const before = await engine.score(stories, [[{ tokens, from: 1 }]]);
      const [worker] = engine.workers();
      expect(worker?.pid).toBeTypeOf("number");
      const big = Array.from({ length: 2 }, () => hellaswagItems.flat().map((sequence) => ({ tokens: sequence, from: 1 })));
      const inFlight = engine.score(tiny, big); // a long request on another model's worker keeps running
      const doomed = engine.score(stories, Array.from({ length: 200 }, () => hellaswagItems.flat().map((sequence) => ({ tokens: sequence, from: 1 }))));
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.kill(worker!.pid!, "SIGKILL");
      const error = await doomed.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as ServiceUnavailableError).code).toBe("native_scorer_failed");
      expect((error as Error).message).toMatch(/native scorer of model stories260K exited unexpectedly \(signal SIGKILL\).*next request starts a new one/);
      expect((await inFlight).flat()).toHaveLength(big.flat().length);
      const after = await engine.score(stories, [[{ tokens, from: 1 }]]);
      expect(Array.from(after[0]![0]!.logprobs)).toEqual(Array.from(before[0]![0]!.logprobs));
      const restarted = engine.workers().find((entry) => entry.model === "stories260K");
      expect(restarted?.restarts).toBe(1);
      expect(restarted?.pid).not.toBe(worker!.pid);
    } finally {
      await engine.dispose();
    }
  });

  it("counts each scorer process in the model pool's memory budget: idle models are evicted for it, it gives the memory back when it stops", async () => {
    const scorerBytes = await estimateMemoryBytes(undefined, stories, { sequences: 1, contextSize: 2048 });
    const probe = createRuntime({ gpu: "cpu", threads: 1, sequences: 4, idleUnloadSeconds: 0 });
    await probe.load(tiny);
    const tinyBytes = probe.stats().loaded[0]!.memoryBytes;
    await probe.dispose();
    // Room for either, not both.
    const budgeted = createRuntime({ gpu: "cpu", threads: 1, sequences: 4, idleUnloadSeconds: 0, nativeScorerPath: binary, memoryBudgetBytes: Math.max(scorerBytes, tinyBytes) + 1 });
    const cramped = createRuntime({ gpu: "cpu", threads: 1, sequences: 4, idleUnloadSeconds: 0, nativeScorerPath: binary, memoryBudgetBytes: scorerBytes - 1 });
    try {
      await budgeted.load(tiny);
      expect(budgeted.stats().loaded.map((entry) => entry.name)).toEqual(["llama-2-tiny-random"]);
      const scores = await budgeted.promptScorer!(stories).scoreTokens([{ tokens: hellaswagItems[0]![0]!, from: 1 }]);
      expect(scores[0]!.length).toBe(hellaswagItems[0]![0]!.length - 1);
      // The idle in-process model was evicted to make room for the scorer's process, which is counted now.
      expect(budgeted.stats().loaded).toEqual([]);
      expect(budgeted.stats().heldBytes).toBe(scorerBytes);
      await budgeted.unload("stories260K");
      expect(budgeted.stats().heldBytes).toBe(0);
      // A budget the scorer cannot fit in refuses it like a model load, naming the budget.
      const refused = await cramped.promptScorer!(stories).scoreTokens([{ tokens: hellaswagItems[0]![0]!, from: 1 }]).then(() => undefined, (error: unknown) => error);
      expect(refused).toBeInstanceOf(InvalidRequestError);
      expect((refused as InvalidRequestError).code).toBe("model_exceeds_memory_budget");
    } finally {
      await budgeted.dispose();
      await cramped.dispose();
    }
  });

  it("stops a model's worker when it idles, when the model is unloaded and on dispose; the next use starts it again", async () => {
    const runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 1, idleUnloadSeconds: 1, nativeScorerPath: binary });
    const engine = new NativeScoreEngine({ binaryPath: binary, threads: 1, contextSize: undefined, idleStopSeconds: 1, logger: { info() {}, warn() {}, error() {}, debug() {} } });
    try {
      const request = [{ tokens: hellaswagItems[0]![0]!, from: 1 }];
      await engine.score(stories, [request]);
      const pid = engine.workers()[0]!.pid!;
      expect(() => process.kill(pid, 0)).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(engine.workers()[0]!.pid).toBeUndefined();
      expect(() => process.kill(pid, 0)).toThrow(); // the process is gone
      await engine.score(stories, [request]);
      const again = engine.workers()[0]!.pid!;
      expect(again).not.toBe(pid);
      await engine.unload("stories260K");
      expect(engine.workers()).toEqual([]);
      expect(() => process.kill(again, 0)).toThrow();
      // through the runtime: unload stops it too, and a disposed runtime refuses politely
      const scorer = runtime.promptScorer!(stories);
      expect((await scorer.scoreTokens(request))[0]!.length).toBe(request[0]!.tokens.length - 1);
      await runtime.unload("stories260K");
      expect((await scorer.scoreTokens(request))[0]!.length).toBe(request[0]!.tokens.length - 1);
    } finally {
      await engine.dispose();
      await runtime.dispose();
    }
    await expect(runtime.promptScorer!(stories).scoreTokens([{ tokens: [1, 2, 3], from: 1 }])).rejects.toThrow(/shutting down/);
  });

  it("the tool answers malformed messages with an error and keeps serving; exits when stdin closes", async () => {
    const worker = new ScoreWorker({ binaryPath: binary, modelPath: stories.path, modelName: "stories260K", threads: 1, contextSize: 2048, sequences: 8 });
    try {
      const info = await worker.ready;
      expect(info).toMatchObject({ vocabularySize: 512, bos: 1, eos: 2, addBos: true, contextSize: 2048, maxSequences: 8 });
      const frame = (id: number, body: number[]): Buffer => {
        const payload = Buffer.concat([Buffer.from(new Uint32Array([id]).buffer), Buffer.from(body)]);
        return Buffer.concat([Buffer.from(new Uint32Array([payload.length]).buffer), payload]);
      };
      const u32 = (value: number) => [...Buffer.from(new Uint32Array([value]).buffer)];
      const i32 = (value: number) => [...Buffer.from(new Int32Array([value]).buffer)];
      await expect(worker.request((id) => frame(id, [9]))).rejects.toThrow(/unknown request kind 9/);
      await expect(worker.request((id) => frame(id, [1, ...u32(0), ...u32(1), ...u32(1), ...u32(3)]))).rejects.toThrow(/the message ends early/);
      await expect(worker.request((id) => frame(id, [1, ...u32(0), ...u32(1), ...u32(1), ...u32(2), ...u32(1), ...i32(1), ...i32(-5)]))).rejects.toThrow(/token ids must be integers from 0 to 511, got -5/);
      await expect(worker.request((id) => frame(id, [1, ...u32(0), ...u32(1), ...u32(1), ...u32(2), ...u32(3), ...i32(1), ...i32(5)]))).rejects.toThrow(/from must be an integer from 1 to 2, got 3/);
      await expect(worker.request((id) => frame(id, [1, ...u32(0), ...u32(1), ...u32(1), ...u32(2), ...u32(1), ...i32(1), ...i32(5), 7]))).rejects.toThrow(/bytes after the last group/);
      await expect(worker.request((id) => frame(id, [2, 1, ...u32(50), 65]))).rejects.toThrow(/the message ends early/);
      await expect(worker.request((id) => frame(id, [3, ...u32(2), 1, ...u32(1), 65]))).rejects.toThrow(/the message ends early/);
      const texts = await worker.request((id) => frame(id, [3, ...u32(2), 1, ...u32(1), 65, 0, ...u32(0)]));
      // "A" with BOS (BOS = 1 first), then "" without: no tokens
      const expectedA = await native.promptScorer!(stories).tokenize("A", { addBos: true });
      expect(expectedA[0]).toBe(1);
      expect([...texts]).toEqual([...u32(expectedA.length), ...expectedA.flatMap(i32), ...u32(0)]);
      // still serving
      const body = await worker.request((id) => frame(id, [1, ...u32(0), ...u32(1), ...u32(1), ...u32(2), ...u32(1), ...i32(1), ...i32(5)]));
      expect(body).toHaveLength(4);
      expect(body.readFloatLE(0)).toBeLessThan(0);
      await worker.stop();
      expect(worker.dead).toBe(true);
    } finally {
      await worker.stop();
    }
  });

  it("a message length the tool cannot trust ends it with an error; a missing model file fails clearly", async () => {
    const worker = new ScoreWorker({ binaryPath: binary, modelPath: stories.path, modelName: "stories260K", threads: 1, contextSize: 2048, sequences: 8 });
    await worker.ready;
    const pending = worker.request(() => Buffer.from(new Uint32Array([0xffff_ffff]).buffer));
    await expect(pending).rejects.toThrow(/exited unexpectedly \(exit code 4\).*malformed request: message length 4294967295 is out of range/);
    const missing = new ScoreWorker({ binaryPath: binary, modelPath: "/nonexistent/model.gguf", modelName: "ghost", threads: 1, contextSize: 2048, sequences: 8 });
    await expect(missing.ready).rejects.toThrow(/native scorer of model ghost exited unexpectedly \(exit code 3\).*cannot load the model \/nonexistent\/model.gguf/);
  });

  it("a model whose tool dies at every start is restarted with a growing backoff, not in a loop", async () => {
    const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), "aiplus-score-crash-"));
    const truncated = path.join(folder, "truncated.gguf");
    // The header and part of the tensors: it passes a header check and fails to load.
    await fs.promises.writeFile(truncated, (await fs.promises.readFile(stories.path)).subarray(0, 64 * 1024));
    const broken = { ...stories, name: "broken", path: truncated };
    const engine = new NativeScoreEngine({ binaryPath: binary, threads: 1, contextSize: undefined, idleStopSeconds: 0, logger: { info() {}, warn() {}, error() {}, debug() {} } });
    try {
      const request = [[{ tokens: hellaswagItems[0]![0]!, from: 1 }]];
      const backoffs: number[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const error = await engine.score(broken, request).then(() => undefined, (failure: unknown) => failure);
        expect(error).toBeInstanceOf(ServiceUnavailableError);
        expect((error as Error).message).toMatch(/native scorer of model broken exited unexpectedly \(exit code 3\).*cannot load the model/);
        const [state] = engine.workers();
        expect(state?.crashesInRow).toBe(attempt);
        backoffs.push(state!.backoffMs);
      }
      expect(backoffs).toEqual([0, 250, 500, 1000]);
      expect(engine.workers()[0]?.restarts).toBe(3);
      // The other models are not held back by it.
      expect((await engine.score(stories, request)).flat()).toHaveLength(1);
    } finally {
      await engine.dispose();
      await fs.promises.rm(folder, { recursive: true, force: true });
    }
  });
});
