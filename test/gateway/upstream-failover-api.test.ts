import { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { chatDelta, chatFinish, FakeUpstream, respondJson, respondSse, respondSseCutAfter, usageChunk } from "./fake-upstream.js";

// Issue 7 item 3 end to end: the official openai client → aiplus (retry/breaker policy from its settings) → two
// providers of one model; the first (priority 10) closes its SSE after 4 chunks, the second (priority 20) works.
let server: TestServer;
let cutting: FakeUpstream;
let working: FakeUpstream;
let unavailable: FakeUpstream;

beforeAll(async () => {
  server = await startTestServer({ retryAttempts: 0, breakerThreshold: 3, breakerCooldownSeconds: 600 });
  cutting = await FakeUpstream.start();
  working = await FakeUpstream.start();
  unavailable = await FakeUpstream.start();
  const provider = (name: string, upstream: FakeUpstream, priority: number, models: string[]) =>
    server.admin.post("/admin/providers", { body: { name, base_url: upstream.baseUrl, models, priority } });
  await provider("cutting", cutting, 10, ["remote-model"]);
  await provider("working", working, 20, ["remote-model"]);
  await provider("unavailable", unavailable, 10, ["lonely-model"]);
  cutting.fallback = respondSseCutAfter(4);
  working.fallback = respondSse([chatDelta("Hello from working"), chatFinish("stop"), usageChunk({ prompt_tokens: 3, completion_tokens: 3 })]);
});

afterAll(async () => {
  await server?.close();
  await cutting?.stop();
  await working?.stop();
  await unavailable?.stop();
});

async function streamed(): Promise<{ text: string; error: unknown }> {
  const stream = await server.admin.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: "Hi" }], stream: true });
  let text = "";
  try {
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    return { text, error: undefined };
  } catch (error) {
    return { text, error };
  }
}

describe("a provider that cuts streams mid-way", () => {
  it("non-streamed requests succeed through the second provider", async () => {
    for (let index = 0; index < 2; index++) {
      const completion = await server.admin.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: "Hi" }] });
      expect(completion.choices[0]!.message.content).toBe("Hello from working");
    }
    expect(cutting.hits).toHaveLength(2);
    expect(working.hits).toHaveLength(2);
  });

  it("streamed requests: the cut reaches the client, and after the threshold the breaker sends streams to the second", async () => {
    // Two failures so far (the non-streamed requests); the third opens the breaker.
    const cut = await streamed();
    expect(cut.text).toBe("0 1 2 3 ");
    expect(cut.error).toBeDefined();
    expect(cutting.hits).toHaveLength(3);
    for (let index = 0; index < 3; index++) {
      const served = await streamed();
      expect(served).toEqual({ text: "Hello from working", error: undefined });
    }
    expect(cutting.hits).toHaveLength(3);
  });
});

describe("an upstream's Retry-After", () => {
  it("is passed on to the client, and the paused model answers 503 circuit_open with retry-after", async () => {
    unavailable.script(respondJson(503, { error: { message: "maintenance" } }, { "retry-after": "120" }));
    const failed = await server.admin.chat.completions.create({ model: "lonely-model", messages: [{ role: "user", content: "Hi" }] }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(APIError);
    expect((failed as APIError).status).toBe(502);
    expect((failed as APIError).headers?.get("retry-after")).toBe("120");

    const paused = await server.admin.chat.completions.create({ model: "lonely-model", messages: [{ role: "user", content: "Hi" }] }).catch((error: unknown) => error);
    expect(paused).toBeInstanceOf(APIError);
    expect((paused as APIError).status).toBe(503);
    expect((paused as APIError).code).toBe("circuit_open");
    const retryAfter = Number((paused as APIError).headers?.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(100);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(unavailable.hits).toHaveLength(1);
  });
});
