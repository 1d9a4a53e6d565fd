import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UsageRecord } from "../../src/store/index.js";
import { startTestServer, type TestServer } from "../support/api-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ sequences: 4 });
  await server.addModel("stories260K.gguf", "stories");
});
afterAll(async () => server?.close());

/** The ledger record of a response id (`chatcmpl-<record id>`). */
async function ledgerRecord(responseId: string): Promise<UsageRecord | undefined> {
  const id = responseId.replace(/^chatcmpl-/, "");
  return (await server.platform.maas.usage.list({ limit: 10_000 })).find((record) => record.id === id);
}

/** Polls `read` until `done` holds (the engine frees sequences asynchronously). */
async function eventually<T>(read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (done(value) || attempt >= 200) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("concurrency", () => {
  it("8 simultaneous streams on one model all complete, each with its own exact usage in the ledger", async () => {
    const runs = Array.from({ length: 8 }, async (_, index) => {
      const stream = await server.admin.chat.completions.create({
        model: "stories",
        messages: [{ role: "user", content: `Story number ${index}: once upon a time` }],
        max_tokens: 20 + index * 5,
        temperature: 0.8,
        seed: index,
        logprobs: true,
        stream: true,
        stream_options: { include_usage: true },
      });
      let tokens = 0;
      let text = "";
      let id = "";
      let usage;
      for await (const chunk of stream) {
        id = chunk.id;
        tokens += chunk.choices[0]?.logprobs?.content?.length ?? 0;
        text += chunk.choices[0]?.delta.content ?? "";
        usage = chunk.usage ?? usage;
      }
      return { index, id, tokens, text, usage };
    });
    const results = await Promise.all(runs);
    expect(new Set(results.map((result) => result.id)).size).toBe(8);
    for (const result of results) {
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.usage?.completion_tokens).toBe(result.tokens);
      expect(result.usage!.completion_tokens).toBeLessThanOrEqual(20 + result.index * 5);
      const record = await ledgerRecord(result.id);
      expect(record).toMatchObject({
        status: "ok",
        route: "local",
        endpoint: "chat.completions",
        inputTokens: result.usage!.prompt_tokens,
        outputTokens: result.usage!.completion_tokens,
      });
    }
  });

  it("a client that disconnects mid-stream frees its sequence and is billed as cancelled for what was generated", async () => {
    const controller = new AbortController();
    const stream = await server.admin.chat.completions.create(
      {
        model: "stories",
        messages: [{ role: "user", content: "Tell a very long story" }],
        max_tokens: 1500,
        logit_bias: { "2": -100 }, // never end of text
        logprobs: true,
        stream: true,
      },
      { signal: controller.signal },
    );
    let id = "";
    let received = 0;
    try {
      for await (const chunk of stream) {
        id = chunk.id;
        received += chunk.choices[0]?.logprobs?.content?.length ?? 0;
        if (received >= 10) controller.abort();
      }
    } catch (error) {
      expect((error as Error).name).toMatch(/Abort/);
    }
    expect(received).toBeGreaterThanOrEqual(10);
    const record = await eventually(() => ledgerRecord(id), (value) => value?.status !== "pending");
    expect(record?.status).toBe("cancelled");
    expect(record?.cancelled).toBe(true);
    expect(record?.outputTokens).toBeGreaterThanOrEqual(received);
    expect(record?.outputTokens).toBeLessThan(1500);
    const stats = await eventually(
      () => server.platform.runtime.stats(),
      (value) => value.loaded.every((model) => model.activeSequences === 0),
    );
    expect(stats.loaded.find((model) => model.name === "stories")?.activeSequences).toBe(0);
    const admin = await server.admin.get<{ loaded: { name: string; active_sequences: number }[] }>("/admin/runtime");
    expect(admin.loaded.find((model) => model.name === "stories")?.active_sequences).toBe(0);
    const next = await server.admin.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: 5 });
    expect(next.usage?.completion_tokens).toBe(5);
  });
});
