import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { httpClient, type HttpRequest } from "../eval/support/http-client.js";

/** Names that must never reach the voter before the vote. */
const provider = "acme-upstream-k2";
const healthy = "secret-alpha-q7";
const missing = "secret-beta-z9";
const cut = "secret-gamma-x4";

let server: TestServer;
let upstream: http.Server;
let upstreamHost: string;
let voter: HttpRequest;

function chunk(model: string, delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
}

/**
 * An OpenAI-compatible upstream whose errors name the model, as real ones do: `healthy` streams a reply, `missing`
 * answers 404 "The model … does not exist", `cut` starts a reply and then drops the connection. (The chunks' own
 * `model` field names it too; the arena passes on only the text.)
 */
function answer(request: http.IncomingMessage, response: http.ServerResponse): void {
  let text = "";
  request.on("data", (part: Buffer) => (text += part.toString("utf8")));
  request.on("end", () => {
    const body = JSON.parse(text || "{}") as { model?: string };
    const model = body.model ?? "";
    if (model === missing) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: `The model \`${model}\` does not exist on ${provider}`, type: "invalid_request_error", code: "model_not_found" } }));
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream" });
    if (model === cut) {
      response.write(chunk(model, { role: "assistant", content: "Hello there. " }), () => response.socket?.destroy());
      return;
    }
    response.write(chunk(model, { role: "assistant", content: "Hello there. " }));
    response.write(chunk(model, { content: "Once upon a time." }));
    response.write(`data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } })}\n\n`);
    response.end("data: [DONE]\n\n");
  });
}

/** Every identity of the battle's models: names, the provider's name and its address. */
function expectAnonymous(text: string): void {
  for (const identity of [healthy, missing, cut, provider, upstreamHost]) expect(text.toLowerCase()).not.toContain(identity.toLowerCase());
}

beforeAll(async () => {
  upstream = http.createServer(answer);
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamHost = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  server = await startTestServer();
  const admin = httpClient(server.url, server.adminKey);
  const created = await admin("POST", "/admin/providers", { name: provider, base_url: `http://${upstreamHost}/v1`, models: [healthy, missing, cut] });
  expect(created.status, created.text).toBe(201);
  voter = httpClient(server.url, (await server.createKey({ name: "voter" })).key);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe("arena battles keep the models anonymous until the vote", () => {
  it("a side whose upstream refuses it fails the battle with the error's status and code, its model and upstream hidden", async () => {
    for (const stream of [false, true]) {
      const reply = await voter("POST", "/arena/battles", { prompt: "Tell me a story", models: [healthy, missing], max_tokens: 8, stream });
      expect(reply.status, reply.text).toBe(502);
      expect(reply.body.error.type).toBe("upstream_error");
      expect(reply.body.error.message).toMatch(/model [AB]/); // says which side failed, not which model
      expect(reply.body.error.message).toContain("(hidden)");
      expectAnonymous(reply.text);
    }
  });

  it("a side whose stream is cut sends a redacted error event; the battle stays unrevealed", async () => {
    const reply = await voter("POST", "/arena/battles", { prompt: "Tell me a story", models: [healthy, cut], max_tokens: 8, stream: true });
    expect(reply.status, reply.text).toBe(200);
    const events = reply.text
      .split("\n\n")
      .filter((block) => block.startsWith("data: "))
      .map((block) => block.slice("data: ".length));
    expect(events.at(-1)).toBe("[DONE]");
    const parsed = events.slice(0, -1).map((data) => JSON.parse(data) as { id: string; side?: string; delta?: string; error?: { message: string } });
    const failure = parsed.find((event) => event.error !== undefined);
    expect(failure?.error?.message).toMatch(/\(hidden\)/);
    expectAnonymous(reply.text);
    const battle = await voter("GET", `/arena/battles/${parsed[0]!.id}`);
    expect(battle.body).toMatchObject({ status: "answering", models: null });
    expectAnonymous(battle.text);
  });
});
