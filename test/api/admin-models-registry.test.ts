import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { testModelPath } from "../support/test-models.js";

type ModelView = Record<string, unknown> & { name: string; loaded: boolean; memory_bytes: number | null };
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  await server.addModel("tiny-llama-moe-random.gguf", "moe");
  await server.addModel("tiny-bert-random.gguf", "bert");
});
afterAll(async () => server?.close());

async function call<T>(method: string, route: string, body?: unknown, key = server.adminKey): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe("GET /v1/admin/models: the registry with each file's figures and loaded state", () => {
  it("shows architecture, parameters, quantisation, context, experts, modalities, size, sha256 and registration time", async () => {
    const list = await call<{ data: ModelView[] }>("GET", "/v1/admin/models");
    const byName = new Map(list.body.data.map((model) => [model.name, model]));
    expect(byName.get("stories")).toMatchObject({
      kind: "llm", architecture: "llama", parameter_count: 292_800, quantization: "F32", context_length: 2048, expert_count: null, expert_used_count: null,
      modalities: { input: ["text"], output: ["text"] }, file_size_bytes: 1_185_376, sha256: null, loaded: false, memory_bytes: null, active_sequences: 0, last_used_at: null,
      path: await testModelPath("stories260K.gguf"),
    });
    expect(byName.get("moe")).toMatchObject({ architecture: "llama", parameter_count: 287_552, context_length: 512, expert_count: 4, expert_used_count: 2, has_chat_template: true, file_size_bytes: 1_163_424 });
    expect(byName.get("bert")).toMatchObject({ kind: "embedding", architecture: "bert", parameter_count: 998_016, modalities: { input: ["text"], output: ["embedding"] } });
    const now = Math.floor(Date.now() / 1000);
    expect(byName.get("stories")?.created_at).toBeGreaterThan(now - 600);
    expect(byName.get("stories")?.created_at).toBeLessThanOrEqual(now);
  });

  it("load puts a model in the pool now and unload takes it out; both show in the registry and /v1/admin/runtime", async () => {
    const loaded = await call<ModelView>("POST", "/v1/admin/models/Stories/load");
    expect(loaded.status).toBe(200);
    expect(loaded.body).toMatchObject({ name: "stories", loaded: true, active_sequences: 0 });
    expect(loaded.body.memory_bytes).toBeGreaterThan(0);
    const runtime = await call<{ loaded: Array<{ name: string; memory_bytes: number }> }>("GET", "/v1/admin/runtime");
    expect(runtime.body.loaded).toEqual([expect.objectContaining({ name: "stories", memory_bytes: loaded.body.memory_bytes })]);
    expect((await call<ModelView>("GET", "/v1/admin/models/stories")).body.loaded).toBe(true);
    // Loading again is a no-op; an embedding model loads too.
    expect((await call<ModelView>("POST", "/v1/admin/models/stories/load")).body.loaded).toBe(true);
    expect((await call<ModelView>("POST", "/v1/admin/models/bert/load")).body).toMatchObject({ loaded: true });

    const unloaded = await call<ModelView>("POST", "/v1/admin/models/stories/unload");
    expect(unloaded.body).toMatchObject({ name: "stories", loaded: false, memory_bytes: null });
    expect((await call<{ loaded: Array<{ name: string }> }>("GET", "/v1/admin/runtime")).body.loaded.map((model) => model.name)).toEqual(["bert"]);
    expect((await call<ModelView>("POST", "/v1/admin/models/bert/unload")).body.loaded).toBe(false);
  });

  it("load, unload and delete of an unknown model are 404 model_not_found; a model whose file is gone is a 409 saying so", async () => {
    for (const [method, route] of [["POST", "/v1/admin/models/nope/load"], ["POST", "/v1/admin/models/nope/unload"], ["DELETE", "/v1/admin/models/nope"]] as const) {
      const response = await call<ErrorBody>(method, route);
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({ code: "model_not_found", param: "name" });
    }
    const copy = path.join(server.home, "vanishing.gguf");
    fs.copyFileSync(await testModelPath("stories260K.gguf"), copy);
    await call("POST", "/v1/admin/models", { path: copy, name: "vanishing" });
    fs.rmSync(copy);
    const response = await call<ErrorBody>("POST", "/v1/admin/models/vanishing/load");
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({
      code: "model_file_missing",
      message: `the file of model vanishing is gone: ${copy}; register the model again from where its file is now, or delete it`,
    });
    expect((await call<ModelView>("GET", "/v1/admin/models/vanishing")).body.loaded).toBe(false);
  });

  it("adding from a bad server path is a 400 naming path; a user key may not see or change the registry", async () => {
    const missing = await call<ErrorBody>("POST", "/v1/admin/models", { path: "/no/such/model.gguf", name: "ghost" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe("path");
    expect(missing.body.error.message).toContain("/no/such/model.gguf");
    const user = await server.createKey({ name: "registry-user" });
    expect((await call<ErrorBody>("GET", "/v1/admin/models", undefined, user.key)).status).toBe(403);
    expect((await call<ErrorBody>("POST", "/v1/admin/models/stories/load", undefined, user.key)).status).toBe(403);
  });
});
