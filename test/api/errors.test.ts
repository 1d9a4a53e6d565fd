import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ bodyLimit: 65_536 });
  await server.addModel("stories260K.gguf", "stories");
});
afterAll(async () => server?.close());

const messages = [{ role: "user" as const, content: "Once upon a time" }];

/** The rejection of `promise` (fails when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const result = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(result).toBeInstanceOf(OpenAI.APIError);
  return result as InstanceType<typeof OpenAI.APIError>;
}

async function post(path: string, body: string, apiKey = server.adminKey): Promise<{ status: number; body: { error: Record<string, unknown> } }> {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body,
  });
  return { status: response.status, body: (await response.json()) as { error: Record<string, unknown> } };
}

describe("authentication and authorisation", () => {
  it("401 for a missing, unknown or revoked key", async () => {
    const missing = await fetch(`${server.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { type: "authentication_error", code: "missing_api_key", param: null } });

    const unknown = await rejection(server.client("aip_not_a_real_key_123456").models.list());
    expect(unknown).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unknown.code).toBe("invalid_api_key");

    const { id, key } = await server.createKey({ name: "soon revoked" });
    expect((await server.client(key).models.list()).data.length).toBe(1);
    await server.admin.delete(`/admin/keys/${id}`);
    const revoked = await rejection(server.client(key).chat.completions.create({ model: "stories", messages }));
    expect(revoked).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(revoked.code).toBe("api_key_revoked");
  });

  it("403 for a model the key may not use and for admin routes with a plain key", async () => {
    const { key } = await server.createKey({ name: "limited", models: ["other-model"] });
    const client = server.client(key);
    const denied = await rejection(client.chat.completions.create({ model: "stories", messages }));
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(denied.code).toBe("model_not_allowed");
    expect(denied.param).toBe("model");
    expect((await client.models.list()).data).toEqual([]);
    const admin = await rejection(client.get("/admin/keys"));
    expect(admin).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(admin.code).toBe("admin_key_required");
  });

  it("404 for an unknown model and an unknown URL", async () => {
    const unknown = await rejection(server.admin.chat.completions.create({ model: "no-such-model", messages }));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.code).toBe("model_not_found");
    expect(unknown.param).toBe("model");
    expect(await rejection(server.admin.models.retrieve("no-such-model"))).toBeInstanceOf(OpenAI.NotFoundError);
    const url = await rejection(server.admin.get("/no/such/route"));
    expect(url.status).toBe(404);
  });

  it("413 for a body over the limit", async () => {
    const error = await rejection(server.admin.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "x".repeat(70_000) }] }));
    expect(error.status).toBe(413);
    expect(error.type).toBe("invalid_request_error");
    expect(error.code).toBe("request_too_large");
  });
});

describe("bad input", () => {
  const base = { model: "stories", messages, max_tokens: 4 };
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["negative max_tokens", { ...base, max_tokens: -5 }, "max_tokens", /max_tokens must be a positive integer/],
    ["fractional max_tokens", { ...base, max_tokens: 2.5 }, "max_tokens", /positive integer/],
    ["a string temperature", { ...base, temperature: "hot" }, "temperature", /temperature must be a number from 0 to 2/],
    ["n other than 1", { ...base, n: 2 }, "n", /n must be 1/],
    ["a missing model", { messages }, "model", /Missing required parameter: 'model'/],
    ["empty messages", { ...base, messages: [] }, "messages", /at least one message/],
    ["five stop sequences", { ...base, stop: ["a", "b", "c", "d", "e"] }, "stop", /up to 4/],
    ["top_logprobs over 20", { ...base, logprobs: true, top_logprobs: 21 }, "top_logprobs", /from 0 to 20/],
    ["top_logprobs without logprobs", { ...base, top_logprobs: 2 }, "top_logprobs", /requires logprobs/],
    ["a non-numeric logit_bias key", { ...base, logit_bias: { hello: 5 } }, "logit_bias.hello", /token ids/],
    ["a logit_bias out of range", { ...base, logit_bias: { "5": 200 } }, "logit_bias.5", /-100 to 100/],
    ["an unknown role", { ...base, messages: [{ role: "wizard", content: "hi" }] }, "messages[0].role", /role must be one of/],
    ["an image part that is no URL", { ...base, messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] }, "messages[0].content[0]", /data: URL or an absolute http\(s\) URL/],
    ["an image part outside a user message", { ...base, messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "x" } }] }] }, "messages[0].content[0].type", /only text/],
    ["a tool_choice naming no tool", { ...base, tools: [{ type: "function", function: { name: "a" } }], tool_choice: { type: "function", function: { name: "b" } } }, "tool_choice", /not in tools/],
    ["an unknown response_format", { ...base, response_format: { type: "xml" } }, "response_format.type", /json_schema/],
  ];
  it.each(cases)("400 for %s, naming the parameter", async (_label, body, param, message) => {
    const error = await rejection(server.admin.post("/chat/completions", { body }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe(param);
    expect(error.type).toBe("invalid_request_error");
    expect(error.message).toMatch(message);
  });

  it("400 for malformed JSON and a non-object body", async () => {
    const malformed = await post("/v1/chat/completions", '{"model": "stories", "messages": [');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
    const array = await post("/v1/chat/completions", "[1,2]");
    expect(array.status).toBe(400);
    expect(array.body.error.message).toMatch(/JSON object/);
  });

  it("400 context_length_exceeded for a huge max_tokens, naming it", async () => {
    const error = await rejection(server.admin.chat.completions.create({ model: "stories", messages, max_tokens: 1_000_000_000 }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe("context_length_exceeded");
    expect(error.param).toBe("max_tokens");
    const completions = await rejection(server.admin.completions.create({ model: "stories", prompt: "hi", max_tokens: 5000 }));
    expect(completions.code).toBe("context_length_exceeded");
  });

  it("unknown fields are a 400 naming the field, and null optional fields mean unset", async () => {
    const unknown = await rejection(server.admin.post("/chat/completions", { body: { ...base, some_future_field: { x: 1 } } }));
    expect(unknown.status).toBe(400);
    expect(unknown.param).toBe("some_future_field");
    expect(unknown.message).toContain("Unrecognized request argument supplied: some_future_field");
    const completion = await server.admin.post<{ usage: { completion_tokens: number } }>("/chat/completions", {
      body: { ...base, temperature: null, stop: null },
    });
    expect(completion.usage.completion_tokens).toBe(4);
  });

  it("after all that the server is up, serves requests and left no ledger entry open", async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const completion = await server.admin.chat.completions.create({ model: "stories", messages, max_tokens: 3 });
    expect(completion.usage?.completion_tokens).toBe(3);
    const records = await server.platform.maas.usage.list({ limit: 1000 });
    expect(records.filter((record) => record.status === "pending")).toEqual([]);
    const admin = await server.platform.maas.keys.get((await server.platform.maas.authenticate(server.adminKey)).id);
    expect(admin?.reservedNanos).toBe(0);
  });
});

describe("429 with retry-after", () => {
  it("for requests per minute", async () => {
    const { key } = await server.createKey({ name: "rpm", rpm: 2 });
    const client = server.client(key);
    await client.chat.completions.create({ model: "stories", messages, max_tokens: 1 });
    await client.chat.completions.create({ model: "stories", messages, max_tokens: 1 });
    const error = await rejection(client.chat.completions.create({ model: "stories", messages, max_tokens: 1 }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.type).toBe("rate_limit_error");
    expect(error.code).toBe("rate_limit_exceeded");
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("for tokens per minute", async () => {
    const { key } = await server.createKey({ name: "tpm", tpm: 40 });
    const client = server.client(key);
    const tooLarge = await rejection(client.chat.completions.create({ model: "stories", messages, max_tokens: 100 }));
    expect(tooLarge).toBeInstanceOf(OpenAI.RateLimitError);
    expect(tooLarge.message).toMatch(/tokens per minute/);
    expect(Number(tooLarge.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // A request that fits uses up the window (its real tokens are recorded); the next one does not fit any more.
    const first = await client.completions.create({ model: "stories", prompt: "Once upon a time", max_tokens: 20 });
    expect(first.usage?.total_tokens).toBe(25);
    const exhausted = await rejection(client.completions.create({ model: "stories", prompt: "Once upon a time", max_tokens: 20 }));
    expect(exhausted).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number(exhausted.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("for a spending budget, reserved before the call", async () => {
    await server.admin.put("/admin/prices/stories", { body: { input_per_million: 1000, output_per_million: 1000 } });
    try {
      // Each request may cost up to (25 prompt + 10) tokens × $0.001 = $0.035; the budget allows one.
      const { id, key } = await server.createKey({ name: "budget", budget: 0.05, budget_period: "day" });
      const client = server.client(key);
      const first = await client.chat.completions.create({ model: "stories", messages, max_tokens: 10 });
      expect(first.usage?.completion_tokens).toBe(10);
      const spent = await server.admin.get<{ spent: number; reserved: number }>(`/admin/keys/${id}`);
      expect(spent.spent).toBeCloseTo((first.usage!.total_tokens * 1000) / 1e6, 9);
      expect(spent.reserved).toBe(0);
      const error = await rejection(client.chat.completions.create({ model: "stories", messages, max_tokens: 10 }));
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.type).toBe("insufficient_quota");
      expect(error.code).toBe("budget_exceeded");
      expect(Number(error.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    } finally {
      await server.admin.delete("/admin/prices/stories");
    }
  });
});
