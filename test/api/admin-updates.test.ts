import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
});
afterAll(async () => server?.close());

/** JSON call with the admin key; returns status and parsed body. */
async function admin(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}/v1/admin${route}`, {
    method,
    headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe("PATCH /v1/admin/keys/{id}", () => {
  it("changes every field settable at creation, removes limits with null, and answers 400 naming the param or 404", async () => {
    const created = await admin("POST", "/keys", { name: "dora", models: ["stories"], rpm: 5, tpm: 100, budget: 1, budget_period: "week" });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const updated = await admin("PATCH", `/keys/${id}`, {
      name: "dora2", models: null, rpm: 7, tpm: null, budget: 2.5, budget_period: "day", expires_at: "2099-01-01T00:00:00Z", is_admin: true, allow_code_execution: true,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, name: "dora2", models: null, rpm: 7, tpm: null, budget: 2.5, budget_period: "day", is_admin: true, allow_code_execution: true });
    expect(updated.body.expires_at).not.toBeNull();
    expect((await admin("GET", `/keys/${id}`)).body).toMatchObject({ name: "dora2", rpm: 7, is_admin: true });
    expect((await admin("PATCH", `/keys/${id}`, { is_admin: false, expires_at: null })).body).toMatchObject({ is_admin: false, expires_at: null });

    const unknownField = await admin("PATCH", `/keys/${id}`, { rpn: 5 });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.param).toBe("rpn");
    const badValue = await admin("PATCH", `/keys/${id}`, { rpm: -1 });
    expect(badValue.status).toBe(400);
    expect(badValue.body.error.param).toBe("rpm");
    const badAdmin = await admin("PATCH", `/keys/${id}`, { is_admin: "yes" });
    expect(badAdmin.status).toBe(400);
    expect(badAdmin.body.error.param).toBe("is_admin");
    const missing = await admin("PATCH", "/keys/no-such-key", { rpm: 5 });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("key_not_found");
  });
});

describe("PATCH /v1/admin/providers/{name-or-id}", () => {
  it("changes URL, API key, models, priority and timeout by name or id; 400 naming the param, 404 unknown", async () => {
    const created = await admin("POST", "/providers", { name: "up", base_url: "http://127.0.0.1:9/v1", api_key: "sk-1", models: ["gpt-x"], priority: 5, timeout_ms: 1000 });
    expect(created.status).toBe(201);
    const byName = await admin("PATCH", "/providers/up", { base_url: "http://127.0.0.1:10/v1/", api_key: null, models: ["gpt-y", "gpt-z"], priority: 3, timeout_ms: 2000 });
    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({ name: "up", base_url: "http://127.0.0.1:10/v1", has_api_key: false, models: ["gpt-y", "gpt-z"], priority: 3, timeout_ms: 2000 });
    const byId = await admin("PATCH", `/providers/${created.body.id}`, { api_key: "sk-2" });
    expect(byId.body).toMatchObject({ name: "up", has_api_key: true, models: ["gpt-y", "gpt-z"] });
    expect(JSON.stringify(byId.body)).not.toContain("sk-2");
    expect((await admin("GET", "/providers/up")).body.priority).toBe(3);

    const badUrl = await admin("PATCH", "/providers/up", { base_url: "ftp://x" });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error.param).toBe("base_url");
    const emptyModels = await admin("PATCH", "/providers/up", { models: [] });
    expect(emptyModels.status).toBe(400);
    expect(emptyModels.body.error.param).toBe("models");
    expect((await admin("PATCH", "/providers/up", { nme: "x" })).body.error.param).toBe("nme");
    expect((await admin("PATCH", "/providers/nope", { priority: 1 })).status).toBe(404);
  });
});
