import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { testModelPath } from "../support/test-models.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

type List<T> = { object: "list"; data: T[] };
type KeyView = { id: string; name: string; prefix: string; key?: string; models: string[] | null; rpm: number | null; tpm: number | null; budget: number | null; revoked_at: number | null };

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const result = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(result).toBeInstanceOf(OpenAI.APIError);
  return result as InstanceType<typeof OpenAI.APIError>;
}

describe("admin API", () => {
  it("models: register a GGUF, list, show, refuse bad files, remove (unloads it)", async () => {
    const created = await server.admin.post<{ id: string; kind: string; architecture: string; context_length: number }>("/admin/models", {
      body: { path: await testModelPath("stories260K.gguf") },
    });
    expect(created).toMatchObject({ id: "stories260K", kind: "llm", architecture: "llama", context_length: 2048 });
    const bert = await server.admin.post<{ kind: string; embedding_length: number }>("/admin/models", {
      body: { path: await testModelPath("tiny-bert-random.gguf"), name: "bert" },
    });
    expect(bert.kind).toBe("embedding");
    expect((await server.admin.get<List<{ id: string }>>("/admin/models")).data.map((model) => model.id)).toEqual(["bert", "stories260K"]);
    expect((await server.admin.get<{ id: string }>("/admin/models/bert")).id).toBe("bert");

    const duplicate = await rejection(server.admin.post("/admin/models", { body: { path: await testModelPath("stories260K.gguf") } }));
    expect(duplicate.status).toBe(400);
    expect(duplicate.param).toBe("name");
    const notGguf = path.join(server.home, "not-a-model.gguf");
    fs.writeFileSync(notGguf, "definitely not a GGUF file");
    expect((await rejection(server.admin.post("/admin/models", { body: { path: notGguf } }))).code).toBe("not_gguf");
    const truncated = path.join(server.home, "truncated.gguf");
    fs.writeFileSync(truncated, fs.readFileSync(await testModelPath("stories260K.gguf")).subarray(0, 600_000));
    expect((await rejection(server.admin.post("/admin/models", { body: { path: truncated } }))).code).toBe("truncated_gguf");
    expect((await rejection(server.admin.post("/admin/models", { body: { path: path.join(server.home, "missing.gguf") } }))).status).toBe(400);

    await server.admin.chat.completions.create({ model: "stories260k", messages: [{ role: "user", content: "Hi" }], max_tokens: 2 });
    expect(server.platform.runtime.stats().loaded.map((model) => model.name)).toContain("stories260K");
    const deleted = await server.admin.delete<{ deleted: boolean }>("/admin/models/stories260k");
    expect(deleted.deleted).toBe(true);
    expect(server.platform.runtime.stats().loaded.map((model) => model.name)).not.toContain("stories260K");
    expect(await rejection(server.admin.models.retrieve("stories260k"))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(server.admin.delete("/admin/models/stories260k"))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("keys: the secret is shown once; limits change; revoke", async () => {
    const created = await server.admin.post<KeyView>("/admin/keys", { body: { name: "alice", models: ["bert"], rpm: 60, tpm: 20000, budget: 5 } });
    expect(created.key).toMatch(/^aip_/);
    expect(created.key!.startsWith(created.prefix)).toBe(true);
    expect(created).toMatchObject({ name: "alice", models: ["bert"], rpm: 60, tpm: 20000, budget: 5, revoked_at: null });
    const listed = await server.admin.get<List<KeyView>>("/admin/keys");
    const alice = listed.data.find((key) => key.id === created.id);
    expect(alice?.key).toBeUndefined();
    const patched = await server.admin.patch<KeyView>(`/admin/keys/${created.id}`, { body: { rpm: null, tpm: 100, models: null } });
    expect(patched).toMatchObject({ rpm: null, tpm: 100, models: null, budget: 5 });
    const invalid = await rejection(server.admin.patch(`/admin/keys/${created.id}`, { body: { rpm: -1 } }));
    expect(invalid.param).toBe("rpm");
    const revoked = await server.admin.delete<KeyView>(`/admin/keys/${created.id}`);
    expect(revoked.revoked_at).not.toBeNull();
    expect(await rejection(server.admin.get("/admin/keys/no-such-id"))).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await rejection(server.admin.post("/admin/keys", { body: { name: "" } }))).param).toBe("name");
  });

  it("providers: add, list without the api key, remove; their models are listed", async () => {
    const provider = await server.admin.post<{ name: string; has_api_key: boolean; base_url: string }>("/admin/providers", {
      body: { name: "upstream", base_url: "http://127.0.0.1:9/v1/", api_key: "secret-upstream-key", models: ["remote-model"] },
    });
    expect(provider).toMatchObject({ name: "upstream", has_api_key: true, base_url: "http://127.0.0.1:9/v1" });
    const listed = await server.admin.get<List<Record<string, unknown>>>("/admin/providers");
    expect(JSON.stringify(listed)).not.toContain("secret-upstream-key");
    expect((await server.admin.models.retrieve("remote-model")).owned_by).toBe("upstream");
    expect((await rejection(server.admin.post("/admin/providers", { body: { name: "bad", base_url: "not a url", models: ["x"] } }))).param).toBe("base_url");
    await server.admin.delete("/admin/providers/upstream");
    expect(await rejection(server.admin.delete("/admin/providers/upstream"))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("prices and usage: requests are billed at the price and aggregated by key, model and day", async () => {
    await server.admin.post("/admin/models", { body: { path: await testModelPath("stories260K.gguf"), name: "stories" } });
    const price = await server.admin.put<{ input_per_million: number; output_per_million: number }>("/admin/prices/stories", {
      body: { input_per_million: 2, output_per_million: 4 },
    });
    expect(price).toMatchObject({ input_per_million: 2, output_per_million: 4 });
    expect((await server.admin.get<List<{ model: string }>>("/admin/prices")).data.map((entry) => entry.model)).toContain("stories");
    expect((await rejection(server.admin.put("/admin/prices/stories", { body: { input_per_million: -1, output_per_million: 1 } }))).param).toBe("input_per_million");

    const { id, key } = await server.admin.post<KeyView & { key: string }>("/admin/keys", { body: { name: "billing" } });
    const client = server.client(key);
    const usages = [];
    for (const maxTokens of [3, 5]) {
      usages.push((await client.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: maxTokens })).usage!);
    }
    const report = await server.admin.get<List<{ key_id: string; key_name: string; model: string; day: string; requests: number; input_tokens: number; output_tokens: number; cost: number }>>(
      "/admin/usage",
      { query: { by: "key,model,day", since: "2020-01-01" } },
    );
    const row = report.data.find((entry) => entry.key_id === id);
    const input = usages.reduce((sum, usage) => sum + usage.prompt_tokens, 0);
    const output = usages.reduce((sum, usage) => sum + usage.completion_tokens, 0);
    expect(row).toMatchObject({ key_name: "billing", model: "stories", day: new Date().toISOString().slice(0, 10), requests: 2, input_tokens: input, output_tokens: output });
    expect(row!.cost).toBeCloseTo((input * 2 + output * 4) / 1e6, 12);
    expect((await rejection(server.admin.get("/admin/usage", { query: { by: "planet" } }))).param).toBe("by");
    expect((await rejection(server.admin.get("/admin/usage", { query: { since: "yesterday-ish" } }))).param).toBe("since");

    await server.admin.delete("/admin/prices/stories");
    expect(await rejection(server.admin.delete("/admin/prices/stories"))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("runtime: pool statistics", async () => {
    const stats = await server.admin.get<{ memory_budget_bytes: number; loaded: { name: string; active_sequences: number }[] }>("/admin/runtime");
    expect(stats.memory_budget_bytes).toBeGreaterThan(0);
    expect(stats.loaded.every((model) => model.active_sequences === 0)).toBe(true);
  });
});
