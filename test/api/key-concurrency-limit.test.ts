import fs from "node:fs";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";
import { jsonOf, runAiplus, temporaryHome } from "../cli/run-aiplus.js";

/** `max_concurrent_requests` on keys (admin API, /v1/me, CLI) and its enforcement on an embedded server (in memory). */
let server: TestServer;
let upstream: ScriptedUpstream;
const model = "remote-model";

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  upstream.on(() => true, { text: "ok" });
  upstream.on("user: hold", { hold: true });
  server = await startTestServer();
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
});

afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

type KeyView = { id: string; max_concurrent_requests: number | null };

describe("max_concurrent_requests on API keys", () => {
  it("is set at creation, shown to admins and to the key itself, changed and removed with PATCH", async () => {
    const { id, key } = await server.admin.post<KeyView & { key: string }>("/admin/keys", { body: { name: "capped", max_concurrent_requests: 3 } });
    expect((await server.admin.get<KeyView>(`/admin/keys/${id}`)).max_concurrent_requests).toBe(3);
    expect((await server.client(key).get<KeyView>("/me")).max_concurrent_requests).toBe(3);
    expect((await server.admin.patch<KeyView>(`/admin/keys/${id}`, { body: { max_concurrent_requests: 5 } })).max_concurrent_requests).toBe(5);
    expect((await server.admin.patch<KeyView>(`/admin/keys/${id}`, { body: { name: "renamed" } })).max_concurrent_requests).toBe(5);
    expect((await server.admin.patch<KeyView>(`/admin/keys/${id}`, { body: { max_concurrent_requests: null } })).max_concurrent_requests).toBeNull();
    expect((await server.admin.post<KeyView>("/admin/keys", { body: { name: "uncapped" } })).max_concurrent_requests).toBeNull();
  });

  it("rejects a value that is not a positive integer up to 100000, naming the field", async () => {
    for (const value of [0, -1, 1.5, "2", 100_001]) {
      const error = await rejection(server.admin.post("/admin/keys", { body: { name: "bad", max_concurrent_requests: value } }));
      expect(error.status).toBe(400);
      expect(error.param).toBe("max_concurrent_requests");
      expect(error.message).toMatch(/max_concurrent_requests must be (a positive integer|at most 100000)/);
    }
    const { id } = await server.createKey({ name: "patched" });
    const patch = await rejection(server.admin.patch(`/admin/keys/${id}`, { body: { max_concurrent_requests: 0 } }));
    expect(patch.status).toBe(400);
    expect(patch.param).toBe("max_concurrent_requests");
    const misspelt = await rejection(server.admin.post("/admin/keys", { body: { name: "bad", max_concurrency: 2 } }));
    expect(misspelt.status).toBe(400);
    expect(misspelt.param).toBe("max_concurrency");
  });

  it("refuses a request beyond the cap with 429 concurrency_limit_exceeded and retry-after, and frees the slot when a request ends", async () => {
    const { key } = await server.createKey({ name: "one-at-a-time", max_concurrent_requests: 1 });
    const holding = new AbortController();
    const seen = upstream.requests.length;
    const held = fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hold" }], stream: true }),
      signal: holding.signal,
    }).catch((error: unknown) => error);
    await upstream.waitForRequests(seen + 1);

    const client = server.client(key);
    const refused = await rejection(client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }));
    expect(refused.status).toBe(429);
    expect(refused.code).toBe("concurrency_limit_exceeded");
    expect(refused.type).toBe("rate_limit_error");
    expect(refused.headers?.get("retry-after")).toBe("1");
    expect(refused.message).toMatch(/limit 1 concurrent requests, 1 running/);
    // Embeddings count against the same cap.
    const embeddings = await rejection(client.embeddings.create({ model, input: "hi" }));
    expect(embeddings.code).toBe("concurrency_limit_exceeded");

    holding.abort();
    await held;
    let answered = false;
    for (let attempt = 0; attempt < 200 && !answered; attempt++) {
      answered = await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).then(
        () => true,
        async (error: unknown) => {
          expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("concurrency_limit_exceeded");
          await new Promise((resolve) => setTimeout(resolve, 25));
          return false;
        },
      );
    }
    expect(answered).toBe(true);
    // Two requests one after the other each take and free the one slot.
    await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
  });
});

describe("aiplus keys --max-concurrent", () => {
  let home: string;
  beforeAll(() => {
    home = temporaryHome();
  });
  afterAll(() => {
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("sets, lists, changes and removes a key's concurrency cap", async () => {
    type PublicKey = { id: string; name: string; max_concurrent_requests: number | null };
    const created = await runAiplus(["keys", "create", "--name", "capped", "--max-concurrent", "4", "--json"], { home });
    expect(created.code, created.stderr).toBe(0);
    const key = jsonOf<PublicKey>(created);
    expect(key.max_concurrent_requests).toBe(4);
    const listed = await runAiplus(["keys", "ls"], { home });
    expect(listed.stdout).toMatch(/CONCURRENT/);
    const changed = await runAiplus(["keys", "update", key.id, "--max-concurrent", "2", "--json"], { home });
    expect(jsonOf<PublicKey>(changed).max_concurrent_requests).toBe(2);
    const removed = await runAiplus(["keys", "update", key.id, "--no-max-concurrent", "--json"], { home });
    expect(jsonOf<PublicKey>(removed).max_concurrent_requests).toBeNull();
    const invalid = await runAiplus(["keys", "create", "--name", "bad", "--max-concurrent", "0"], { home });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/max-concurrent/);
  });
});
