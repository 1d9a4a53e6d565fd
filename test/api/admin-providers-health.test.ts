import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { closedPort } from "../pull/model-file-server.js";

type Route = { model: string; state: string; open_until_at: number | null; consecutive_failures: number; latency: { average_ms: number; last_ms: number; last_at: number; samples: number } | null };
type ProviderView = {
  name: string;
  has_api_key: boolean;
  api_key_hint: string | null;
  models: string[];
  circuit: { state: string; open_until_at: number | null };
  latency: Route["latency"];
  routes: Route[];
};
type TestView = { object: string; ok: boolean; check: string; latency_ms: number; status: number | null; error: string | null; models: string[] | null; missing_models: string[] | null };
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

const goodKey = "sk-upstream-good-key-0123456789abcd";
const upstreamRequests: Array<{ method: string; path: string; authorization: string | undefined; body: string }> = [];

/** An OpenAI-compatible upstream: `alpha` and `beta` answer, `broken` fails with 500, a wrong key gets OpenAI's 401 text. */
const upstream = http.createServer((request, response) => {
  let body = "";
  request.setEncoding("utf8");
  request.on("data", (chunk: string) => (body += chunk));
  request.on("end", () => {
    upstreamRequests.push({ method: request.method ?? "", path: request.url ?? "", authorization: request.headers.authorization, body });
    const key = request.headers.authorization?.replace(/^Bearer /, "");
    const json = (status: number, value: unknown) => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (key !== goodKey) {
      json(401, { error: { message: `Incorrect API key provided: ${key ?? "none"}. You can find your API key at https://platform.example/account/api-keys.`, type: "invalid_request_error", code: "invalid_api_key" } });
      return;
    }
    if (request.method === "GET" && request.url === "/v1/models") {
      json(200, { object: "list", data: [{ id: "alpha", object: "model" }, { id: "beta", object: "model" }] });
      return;
    }
    if (request.method === "POST" && request.url === "/v1/chat/completions") {
      const parsed = JSON.parse(body) as { model: string; stream?: boolean };
      if (parsed.model === "broken") {
        json(500, { error: { message: "the engine behind broken crashed (CUDA error 700)", type: "server_error" } });
        return;
      }
      if (parsed.model !== "alpha" && parsed.model !== "beta") {
        json(404, { error: { message: `The model '${parsed.model}' does not exist or you do not have access to it.`, type: "invalid_request_error", code: "model_not_found" } });
        return;
      }
      if (parsed.stream) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: parsed.model, choices: [{ index: 0, delta: { role: "assistant", content: "OK" }, finish_reason: null }] })}\n\n`);
        response.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: parsed.model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })}\n\n`);
        response.end("data: [DONE]\n\n");
        return;
      }
      json(200, { id: "c1", object: "chat.completion", created: 1, model: parsed.model, choices: [{ index: 0, message: { role: "assistant", content: "OK" }, finish_reason: "length" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
      return;
    }
    response.writeHead(404, { "content-type": "text/html" }).end("<html><body>Not Found</body></html>");
  });
});

let server: TestServer;
let upstreamUrl: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  server = await startTestServer({ retryAttempts: 0, breakerThreshold: 2, breakerCooldownSeconds: 600 });
});
afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

async function call<T>(method: string, route: string, body?: unknown, key = server.adminKey): Promise<{ status: number; text: string; body: T }> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as T };
}

describe("/v1/admin/providers for the console", () => {
  it("saves several models at once and never sends the API key back, only a mask", async () => {
    const created = await call<ProviderView>("POST", "/v1/admin/providers", { name: "several", base_url: upstreamUrl, api_key: goodKey, models: ["alpha", "beta", "broken"] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "several", has_api_key: true, api_key_hint: "sk-…abcd", models: ["alpha", "beta", "broken"], circuit: { state: "closed", open_until_at: null }, latency: null });
    expect(created.body.routes.map((route) => [route.model, route.state, route.latency])).toEqual([["alpha", "closed", null], ["beta", "closed", null], ["broken", "closed", null]]);
    const responses = [created, await call("GET", "/v1/admin/providers"), await call("GET", "/v1/admin/providers/several")];
    const patched = await call<ProviderView>("PATCH", "/v1/admin/providers/several", { models: ["alpha", "beta", "broken", "gamma"] });
    expect(patched.body.models).toEqual(["alpha", "beta", "broken", "gamma"]);
    for (const response of [...responses, patched]) expect(response.text).not.toContain(goodKey);
    // A lower priority (a higher number) than "several": providers of equal priority would form a pool sharing alpha's calls.
    const shortKey = await call<ProviderView>("POST", "/v1/admin/providers", { name: "short-key", base_url: upstreamUrl, api_key: "sk-12345", models: ["alpha"], priority: 200 });
    expect(shortKey.body.api_key_hint).toBe("…");
    expect(shortKey.text).not.toContain("sk-12345");
    const keyless = await call<ProviderView>("POST", "/v1/admin/providers", { name: "keyless", base_url: upstreamUrl, models: ["alpha"], priority: 200 });
    expect(keyless.body).toMatchObject({ has_api_key: false, api_key_hint: null });
  });

  it("test connection: GET /models lists what the upstream offers and which configured models it lacks", async () => {
    const tested = await call<TestView>("POST", "/v1/admin/providers/several/test");
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ object: "provider.connection_test", ok: true, check: "models", status: 200, error: null, models: ["alpha", "beta"], missing_models: ["broken", "gamma"] });
    expect(tested.body.latency_ms).toBeGreaterThanOrEqual(0);
    expect(upstreamRequests.at(-1)).toMatchObject({ method: "GET", path: "/v1/models", authorization: `Bearer ${goodKey}` });
    const chat = await call<TestView>("POST", "/v1/admin/providers/several/test", { check: "chat", model: "beta" });
    expect(chat.body).toMatchObject({ ok: true, check: "chat", status: 200, error: null, models: null, missing_models: null });
    expect(JSON.parse(upstreamRequests.at(-1)!.body)).toEqual({ model: "beta", messages: [{ role: "user", content: "Say OK." }], max_tokens: 1, stream: false });
  });

  it("test connection shows the upstream's own error text (the key in it masked), its status, or why it could not be reached", async () => {
    const wrongKey = "sk-wrong-key-echoed-back-9876wxyz";
    const unauthorized = await call<TestView>("POST", "/v1/admin/providers/several/test", { api_key: wrongKey });
    expect(unauthorized.body).toMatchObject({ ok: false, status: 401, models: null });
    expect(unauthorized.body.error).toBe("upstream several answered HTTP 401: Incorrect API key provided: sk-…wxyz. You can find your API key at https://platform.example/account/api-keys.");
    expect(unauthorized.text).not.toContain(wrongKey);

    const crashed = await call<TestView>("POST", "/v1/admin/providers/several/test", { check: "chat", model: "broken" });
    expect(crashed.body).toMatchObject({ ok: false, status: 500, error: "upstream several answered HTTP 500: the engine behind broken crashed (CUDA error 700)" });
    const unknownModel = await call<TestView>("POST", "/v1/admin/providers/several/test", { check: "chat", model: "nope" });
    expect(unknownModel.body).toMatchObject({ ok: false, status: 404, error: "upstream several answered HTTP 404: The model 'nope' does not exist or you do not have access to it." });

    const wrongPath = await call<TestView>("POST", "/v1/admin/providers/several/test", { base_url: upstreamUrl.replace(/\/v1$/, "/api") });
    expect(wrongPath.body).toMatchObject({ ok: false, status: 404 });
    expect(wrongPath.body.error).toContain("<html><body>Not Found</body></html>");

    const port = await closedPort();
    const unreachable = await call<TestView>("POST", "/v1/admin/providers/test", { base_url: `http://127.0.0.1:${port}/v1`, models: ["alpha"] });
    expect(unreachable.body).toMatchObject({ ok: false, status: null, models: null, missing_models: null });
    expect(unreachable.body.error).toMatch(new RegExp(`^cannot reach upstream \\(unsaved\\) \\(http://127\\.0\\.0\\.1:${port}/v1/models\\): `));

    // An unsaved provider (the add form) is tested from the body alone.
    const unsaved = await call<TestView>("POST", "/v1/admin/providers/test", { name: "draft", base_url: upstreamUrl, api_key: goodKey, models: ["alpha", "delta"] });
    expect(unsaved.body).toMatchObject({ ok: true, models: ["alpha", "beta"], missing_models: ["delta"] });
    expect(unsaved.text).not.toContain(goodKey);
  });

  it("test connection refuses bad input with a 400 naming the field, and an unknown provider with 404", async () => {
    const cases: Array<[string, unknown, string]> = [
      ["/v1/admin/providers/test", {}, "base_url"],
      ["/v1/admin/providers/test", { base_url: "ftp://x" }, "base_url"],
      ["/v1/admin/providers/test", { base_url: upstreamUrl, check: "chat" }, "model"],
      ["/v1/admin/providers/test", { base_url: upstreamUrl, check: "ping" }, "check"],
      ["/v1/admin/providers/several/test", { api_key: 5 }, "api_key"],
      ["/v1/admin/providers/several/test", { secret: "x" }, "secret"],
    ];
    for (const [route, body, param] of cases) {
      const response = await call<ErrorBody>("POST", route, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.param).toBe(param);
    }
    const missing = await call<ErrorBody>("POST", "/v1/admin/providers/nobody/test");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("provider_not_found");
    const user = await server.createKey({ name: "provider-user" });
    expect((await call<ErrorBody>("POST", "/v1/admin/providers/several/test", undefined, user.key)).status).toBe(403);
    expect((await call<ErrorBody>("GET", "/v1/admin/providers", undefined, user.key)).status).toBe(403);
  });

  it("shows each route's recent latency and circuit-breaker state: failures open it until a time", async () => {
    const client = server.admin;
    for (let index = 0; index < 3; index += 1) await client.chat.completions.create({ model: "alpha", messages: [{ role: "user", content: "hi" }], max_tokens: 1 });
    for (let index = 0; index < 2; index += 1) {
      await expect(client.chat.completions.create({ model: "broken", messages: [{ role: "user", content: "hi" }], max_tokens: 1 })).rejects.toThrow(/crashed/);
    }
    const before = Math.floor(Date.now() / 1000);
    const provider = (await call<ProviderView>("GET", "/v1/admin/providers/several")).body;
    const alpha = provider.routes.find((route) => route.model === "alpha")!;
    expect(alpha).toMatchObject({ state: "closed", consecutive_failures: 0, open_until_at: null });
    expect(alpha.latency?.samples).toBe(3);
    expect(alpha.latency?.last_at).toBeLessThanOrEqual(before);
    const broken = provider.routes.find((route) => route.model === "broken")!;
    expect(broken).toMatchObject({ state: "open", consecutive_failures: 2, latency: null });
    // Open for the configured cool-down (600 s) from the second failure.
    expect(broken.open_until_at).toBeGreaterThanOrEqual(before + 590);
    expect(broken.open_until_at).toBeLessThanOrEqual(before + 600);
    expect(provider.circuit).toEqual({ state: "open", open_until_at: broken.open_until_at });
    expect(provider.latency).toMatchObject({ samples: 3, last_ms: alpha.latency?.last_ms });
    // While open, the route is skipped: the call fails at once without reaching the upstream.
    const calls = upstreamRequests.length;
    await expect(client.chat.completions.create({ model: "broken", messages: [{ role: "user", content: "hi" }], max_tokens: 1 })).rejects.toThrow(/paused/);
    expect(upstreamRequests.length).toBe(calls);
  });
});
