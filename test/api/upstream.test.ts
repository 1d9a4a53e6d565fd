import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UsageRecord } from "../../src/store/index.js";
import { chatDelta, chatFinish, FakeUpstream, respondJson, respondSse, respondSseThenCut, usageChunk } from "../gateway/fake-upstream.js";
import { startTestServer, type TestServer } from "../support/api-server.js";

// Upstream providers end to end: the official openai client → aiplus → fake OpenAI-compatible engines.
let server: TestServer;
let primary: FakeUpstream;
let secondary: FakeUpstream;

async function ledgerRecord(responseId: string): Promise<UsageRecord | undefined> {
  const id = responseId.replace(/^chatcmpl-/, "");
  return (await server.platform.maas.usage.list({ limit: 10_000 })).find((record) => record.id === id);
}

beforeAll(async () => {
  server = await startTestServer();
  primary = await FakeUpstream.start();
  secondary = await FakeUpstream.start();
  await server.admin.post("/admin/providers", { body: { name: "primary", base_url: primary.baseUrl, api_key: "sk-primary", models: ["remote-model"], priority: 1 } });
  await server.admin.post("/admin/providers", { body: { name: "secondary", base_url: secondary.baseUrl, api_key: "sk-secondary", models: ["remote-model"], priority: 2 } });
  await server.admin.put("/admin/prices/remote-model", { body: { input_per_million: 2, output_per_million: 8 } });
});

afterAll(async () => {
  await server?.close();
  await primary?.stop();
  await secondary?.stop();
});

describe("upstream providers through the API", () => {
  it("streams from the upstream with its usage, failing over from a provider that answers 5xx", async () => {
    primary.reset();
    secondary.reset();
    primary.fallback = respondJson(503, { error: { message: "overloaded" } });
    secondary.script(
      respondSse([chatDelta("Hello"), chatDelta(" from upstream"), chatFinish("stop"), usageChunk({ prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 })]),
    );
    const stream = await server.admin.chat.completions.create({
      model: "remote-model",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage;
    let id = "";
    for await (const chunk of stream) {
      id = chunk.id;
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from upstream");
    expect(usage).toEqual({ prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 });
    expect(primary.hits.length).toBeGreaterThanOrEqual(1); // retried with backoff, then failed over
    expect(secondary.hits).toHaveLength(1);
    expect(secondary.hits[0]!.authorization).toBe("Bearer sk-secondary");
    expect(secondary.hits[0]!.body).toMatchObject({ model: "remote-model", stream: true, stream_options: { include_usage: true } });
    const record = await ledgerRecord(id);
    // 11 input tokens at $2/1M + 4 output tokens at $8/1M = $0.000054.
    expect(record).toMatchObject({ status: "ok", route: "secondary", inputTokens: 11, outputTokens: 4, costNanos: 54_000 });
  });

  it("a stream cut mid-way reaches the client as an error and is billed as an error, without retry", async () => {
    primary.reset();
    secondary.reset();
    primary.script(respondSseThenCut([chatDelta("partial")]));
    const stream = await server.admin.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: "Hi" }], stream: true });
    let text = "";
    let id = "";
    const consume = async () => {
      for await (const chunk of stream) {
        id = chunk.id;
        text += chunk.choices[0]?.delta.content ?? "";
      }
    };
    await expect(consume()).rejects.toThrow();
    expect(text).toBe("partial");
    expect(primary.hits).toHaveLength(1);
    expect(secondary.hits).toHaveLength(0);
    const record = await ledgerRecord(id);
    expect(record?.status).toBe("error");
    expect(record?.route).toBe("primary");
  });

  it("an upstream 400 is not retried or failed over, and the client gets an error", async () => {
    primary.reset();
    secondary.reset();
    primary.script(respondJson(400, { error: { message: "bad request upstream" } }));
    await expect(server.admin.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: "Hi" }] })).rejects.toMatchObject({ status: 502 });
    expect(primary.hits).toHaveLength(1);
    expect(secondary.hits).toHaveLength(0);
    const health = await fetch(`${server.url}/health`);
    expect(health.ok).toBe(true);
  });

  it("lists provider models in /v1/models", async () => {
    const models = await server.admin.models.list();
    expect(models.data.map((model) => model.id)).toContain("remote-model");
  });
});
