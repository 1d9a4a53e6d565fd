import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  await server.addModel("tiny-bert-random.gguf", "bert");
});
afterAll(async () => server?.close());

type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

async function call(method: string, path: string, body: string | Uint8Array<ArrayBuffer> | undefined): Promise<{ status: number; body: ErrorBody & Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
    body,
  });
  return { status: response.status, body: (await response.json()) as ErrorBody & Record<string, unknown> };
}

const post = (path: string, body: unknown) => call("POST", path, JSON.stringify(body));
const chat = { model: "stories", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 2 };

describe("request bodies", () => {
  it("refuses a body that is not UTF-8 with 400 instead of storing U+FFFD", async () => {
    const prefix = new TextEncoder().encode('{"name":"caf');
    const suffix = new TextEncoder().encode('"}');
    const invalid = new Uint8Array([...prefix, 0xe9, ...suffix]); // Latin-1 é
    for (const path of ["/v1/admin/keys", "/v1/chat/completions", "/v1/knowledge-bases", "/v1/arena/import"]) {
      const reply = await call("POST", path, invalid);
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ type: "invalid_request_error", message: "request body is not valid UTF-8" });
    }
    expect((await server.admin.get<{ data: { name: string }[] }>("/admin/keys")).data.some((key) => key.name.includes("\ufffd"))).toBe(false);
  });

  it("rejects unknown top-level fields like OpenAI: `Unrecognized request argument supplied`, param the field", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["/v1/chat/completions", { ...chat, repeat_penalty: 1.1 }, "repeat_penalty"],
      ["/v1/chat/completions", { ...chat, cache_prompt: true }, "cache_prompt"],
      ["/v1/chat/completions", { ...chat, knowledge_options: { top_k: 2, topk: 3 } }, "knowledge_options.topk"],
      ["/v1/completions", { model: "stories", prompt: "Hi", max_tokens: 2, n_probs: 3 }, "n_probs"],
      ["/v1/embeddings", { model: "bert", input: "hi", truncate: true }, "truncate"],
      ["/v1/rerank", { model: "bert", query: "q", documents: ["a"], max_chunks_per_doc: 2 }, "max_chunks_per_doc"],
      ["/v1/admin/keys", { name: "x", budgte: 5 }, "budgte"],
      ["/v1/admin/providers", { name: "p", base_url: "http://127.0.0.1:9/v1", models: ["m"], timeout: 5 }, "timeout"],
      ["/v1/knowledge-bases", { name: "kb", embedding_model: "bert", chunk: 5 }, "chunk"],
      ["/v1/arena/battles", { prompt: "x", n: 2 }, "n"],
      ["/v1/evals", { task: "arc_easy", model: "stories", limits: 2 }, "limits"],
    ];
    for (const [path, body, field] of cases) {
      const reply = await post(path, body);
      expect(reply.status, `${path} ${field}`).toBe(400);
      expect(reply.body.error).toEqual({ message: `Unrecognized request argument supplied: ${field}`, type: "invalid_request_error", param: field, code: "unknown_parameter" });
    }
    const prices = await call("PUT", "/v1/admin/prices/stories", JSON.stringify({ input_per_million: 1, output_per_million: 2, currency: "usd" }));
    expect(prices.body.error.param).toBe("currency");
  });

  it("accepts OpenAI's documented chat fields (service hints without effect) and llama.cpp's top_k / min_p", async () => {
    const client = server.admin;
    const completion = await client.chat.completions.create({
      ...chat,
      messages: [{ role: "user", content: "Once upon a time" }],
      top_k: 40,
      min_p: 0.05,
      user: "someone",
      store: false,
      metadata: { team: "a" },
      service_tier: "auto",
      reasoning_effort: "low",
      parallel_tool_calls: false,
      logit_bias: { "2": -1 },
      modalities: ["text"],
      prediction: { type: "content", content: "x" },
      prompt_cache_key: "k",
      safety_identifier: "s",
      stream_options: null,
    } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(completion.object).toBe("chat.completion");
    const text = await post("/v1/completions", { model: "stories", prompt: "Hi", max_tokens: 2, top_k: 4, min_p: 0.1, user: "u", suffix: null });
    expect(text.status).toBe(200);
  });

  it("refuses documented fields it cannot honour with a reason", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["/v1/chat/completions", { ...chat, functions: [{ name: "f" }] }, "functions"],
      ["/v1/chat/completions", { ...chat, function_call: "auto" }, "function_call"],
      ["/v1/chat/completions", { ...chat, audio: { voice: "alloy", format: "wav" } }, "audio"],
      ["/v1/chat/completions", { ...chat, modalities: ["text", "audio"] }, "modalities[1]"],
      ["/v1/chat/completions", { ...chat, web_search_options: {} }, "web_search_options"],
      ["/v1/completions", { model: "stories", prompt: "Hi", max_tokens: 2, suffix: "end" }, "suffix"],
    ];
    for (const [path, body, param] of cases) {
      const reply = await post(path, body);
      expect(reply.status, param).toBe(400);
      expect(reply.body.error.param).toBe(param);
      expect(reply.body.error.message).toMatch(/not supported/);
    }
  });

  it("refuses a 3 MB prompt from a prefix of it, without tokenizing all of it", async () => {
    const text = "Once upon a time ".repeat(180_000);
    const completion = await post("/v1/completions", { model: "stories", prompt: text, max_tokens: 2 });
    expect(completion.status).toBe(400);
    expect(completion.body.error).toMatchObject({ code: "context_length_exceeded", param: "prompt" });
    expect(completion.body.error.message).toMatch(/its first \d+ characters alone are \d+ tokens/);
    const chatReply = await post("/v1/chat/completions", { model: "stories", messages: [{ role: "user", content: text }], max_tokens: 2 });
    expect(chatReply.status).toBe(400);
    expect(chatReply.body.error).toMatchObject({ code: "context_length_exceeded", param: "messages" });
    const embedding = await post("/v1/embeddings", { model: "bert", input: ["short", text] });
    expect(embedding.status).toBe(400);
    expect(embedding.body.error).toMatchObject({ code: "context_length_exceeded", param: "input" });
    expect(embedding.body.error.message).toMatch(/^input\[1\] exceeds/);
  });
});

describe("timestamps of aiplus's own endpoints", () => {
  it("are integer unix seconds in every *_at field", async () => {
    const before = Math.floor(Date.now() / 1000);
    const key = await server.admin.post<Record<string, unknown>>("/admin/keys", { body: { name: "timed", expires_at: "2100-01-01T00:00:00Z" } });
    expect(key.expires_at).toBe(4_102_444_800);
    expect(key.revoked_at).toBeNull();
    expect(Number.isInteger(key.created_at) && (key.created_at as number) >= before - 1).toBe(true);
    const price = await server.admin.put<Record<string, unknown>>("/admin/prices/stories", { body: { input_per_million: 1, output_per_million: 2 } });
    expect(Number.isInteger(price.updated_at)).toBe(true);
    const provider = await server.admin.post<Record<string, unknown>>("/admin/providers", { body: { name: "up", base_url: "http://127.0.0.1:9/v1", models: ["remote"] } });
    expect(Number.isInteger(provider.created_at)).toBe(true);
    const kb = await post("/v1/knowledge-bases", { name: "timestamps", embedding_model: "bert" });
    expect(kb.status).toBe(201);
    expect(Number.isInteger(kb.body.created_at) && (kb.body.created_at as number) >= before - 1).toBe(true);
    const job = await post("/v1/knowledge-bases/timestamps/documents", { documents: [{ name: "a.txt", text: "hello" }] });
    expect(Number.isInteger(job.body.created_at)).toBe(true);
    await server.admin.chat.completions.create(chat as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    const records = await server.admin.get<{ data: Record<string, unknown>[] }>("/admin/usage/records", { query: { since: String(before - 60) } });
    expect(records.data.length).toBeGreaterThan(0);
    expect(records.data.every((record) => Number.isInteger(record.created_at))).toBe(true);
    const runtime = await server.admin.get<{ loaded: Record<string, unknown>[] }>("/admin/runtime");
    expect(runtime.loaded.every((model) => Number.isInteger(model.last_used_at))).toBe(true);
  });
});
