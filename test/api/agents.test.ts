import type OpenAI from "openai";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

// /v1/agents (an aiplus extension) against the real server, through the official openai client's generic methods and fetch.
let server: TestServer;
let alice: OpenAI;
let bob: OpenAI;
let aliceKey: string;
beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  await server.addModel("tiny-bert-random.gguf", "bert");
  aliceKey = (await server.createKey({ name: "alice" })).key;
  alice = server.client(aliceKey);
  bob = server.client((await server.createKey({ name: "bob" })).key);
});
afterAll(async () => server?.close());

type WireAgent = { id: string; object: "agent"; name: string; version: number; latest_version: number; definition: Record<string, unknown> & { name: string } };
type WireBlock = { label: string; value: string; chars: number; limit_chars: number; read_only: boolean };
type List<Item> = { object: "list"; data: Item[]; has_more: boolean; first_id: unknown; last_id: unknown };

const researcher = {
  name: "researcher",
  description: "Finds facts",
  profile: { role: "researcher", persona: "curious" },
  instructions: "Look things up.",
  model: "stories",
  fallback_models: ["stories"],
  tools: [
    { type: "function", name: "lookup", description: "Looks up a fact", parameters: { type: "object", properties: { topic: { type: "string" } }, required: ["topic"] } },
    { type: "mcp", server_label: "docs", allowed_tools: ["search"], require_approval: { never: { tool_names: ["search"] } } },
    { type: "builtin", name: "memory" },
    { type: "builtin", name: "http_fetch", allowed_domains: ["example.com"] },
  ],
  approval: { default: "always", per_tool: { lookup: "never" } },
  memory: { blocks: [{ label: "human", description: "about the user", limit_chars: 20, initial_value: "unknown" }, { label: "persona", limit_chars: 100, initial_value: "I research.", read_only: true }], recall: true },
  limits: { max_steps: 8, max_tool_calls: 20, max_cost: 0.5 },
  text: { format: { type: "json_schema", name: "facts", schema: { type: "object" } } },
};

async function badRequest(request: Promise<unknown>): Promise<{ status: number; param: string | null; code: string | null; message: string }> {
  try {
    await request;
  } catch (error) {
    const { status, param, code, message } = error as { status: number; param: string | null; code: string | null; message: string };
    return { status, param, code, message };
  }
  throw new Error("expected the request to fail");
}

describe("/v1/agents", () => {
  let agent: WireAgent;

  it("creates, reads, versions, lists and deletes agents", async () => {
    agent = await alice.post<WireAgent>("/agents", { body: researcher });
    expect(agent).toMatchObject({ object: "agent", name: "researcher", version: 1, latest_version: 1 });
    expect(agent.id).toMatch(/^agent_/);
    expect(agent.definition).toMatchObject({ ...researcher, handoffs: [] });

    const updated = await alice.post<WireAgent>(`/agents/${agent.id}`, { body: { ...researcher, instructions: "Cite sources." } });
    expect(updated).toMatchObject({ id: agent.id, version: 2, latest_version: 2, definition: { instructions: "Cite sources." } });
    expect((await alice.get<WireAgent>(`/agents/${agent.id}`, { query: { version: 1 } })).definition.instructions).toBe("Look things up.");
    expect((await alice.get<WireAgent>(`/agents/${agent.id}`)).definition.instructions).toBe("Cite sources.");
    const versions = await alice.get<List<{ version: number }>>(`/agents/${agent.id}/versions`, { query: { order: "asc" } });
    expect(versions.data.map((version) => version.version)).toEqual([1, 2]);
    expect(await badRequest(alice.get(`/agents/${agent.id}`, { query: { version: 9 } }))).toMatchObject({ status: 404, param: "version" });

    const writer = await alice.post<WireAgent>("/agents", { body: { name: "writer", model: "stories", handoffs: ["researcher"], tools: [{ type: "agent", agent: "researcher" }] } });
    const page = await alice.get<List<{ id: string }>>("/agents", { query: { limit: 1, order: "asc" } });
    expect(page).toMatchObject({ object: "list", has_more: true, first_id: agent.id });
    const rest = await alice.get<List<{ id: string }>>("/agents", { query: { limit: 10, order: "asc", after: agent.id } });
    expect(rest.data.map((item) => item.id)).toEqual([writer.id]);
    expect(await alice.delete(`/agents/${writer.id}`)).toEqual({ id: writer.id, object: "agent.deleted", deleted: true });
    expect(await badRequest(alice.get(`/agents/${writer.id}`))).toMatchObject({ status: 404 });
  });

  it("exports a file that imports back to an equal definition (JSON and YAML)", async () => {
    const json = await fetch(`${server.url}/v1/agents/${agent.id}/export`, { headers: { authorization: `Bearer ${aliceKey}` } });
    expect(json.headers.get("content-type")).toContain("application/json");
    expect(json.headers.get("content-disposition")).toContain("researcher.agent.json");
    const jsonText = await json.text();
    const yaml = await fetch(`${server.url}/v1/agents/${agent.id}/export?format=yaml&version=1`, { headers: { authorization: `Bearer ${aliceKey}` } });
    const yamlText = await yaml.text();
    expect(parseYaml(yamlText)).toEqual((await alice.get<WireAgent>(`/agents/${agent.id}`, { query: { version: 1 } })).definition);

    // Re-importing the latest version changes nothing; the version-1 file becomes version 3 with an equal definition.
    const importFile = (text: string, contentType: string) =>
      fetch(`${server.url}/v1/agents/import`, { method: "POST", headers: { authorization: `Bearer ${aliceKey}`, "content-type": contentType }, body: text }).then(async (response) => ({ status: response.status, body: (await response.json()) as WireAgent & { import_outcome: string } }));
    expect((await importFile(jsonText, "application/json")).body).toMatchObject({ id: agent.id, version: 2, import_outcome: "unchanged" });
    const reimported = await importFile(yamlText, "application/yaml");
    expect(reimported.body).toMatchObject({ id: agent.id, version: 3, import_outcome: "versioned" });
    const exportedAgain = await fetch(`${server.url}/v1/agents/${agent.id}/export?format=yaml`, { headers: { authorization: `Bearer ${aliceKey}` } });
    expect(await exportedAgain.text()).toBe(yamlText);

    // Into another key's namespace the same file creates a new agent there.
    const bobs = await bob.post<WireAgent & { import_outcome: string }>("/agents/import", { body: JSON.parse(jsonText) as Record<string, unknown> });
    expect(bobs).toMatchObject({ import_outcome: "created", version: 1, definition: JSON.parse(jsonText) as Record<string, unknown> });
    expect(bobs.id).not.toBe(agent.id);

    const broken = await importFile("name: [unclosed", "application/yaml");
    expect(broken).toMatchObject({ status: 400, body: { error: { code: "invalid_agent_file" } } });
  });

  it("isolates agents per key (admins see all) and memory per key and user", async () => {
    expect(await badRequest(bob.get(`/agents/${agent.id}`))).toMatchObject({ status: 404, param: "agent_id" });
    expect(await badRequest(bob.post(`/agents/${agent.id}`, { body: researcher }))).toMatchObject({ status: 404 });
    expect(await badRequest(bob.delete(`/agents/${agent.id}`))).toMatchObject({ status: 404 });
    expect(await badRequest(bob.get(`/agents/${agent.id}/memory`))).toMatchObject({ status: 404 });
    expect(await badRequest(bob.get(`/agents/${agent.id}/export`))).toMatchObject({ status: 404 });
    expect((await bob.get<List<{ id: string; owner: string }>>("/agents")).data.map((item) => item.id)).not.toContain(agent.id);
    expect((await server.admin.get<WireAgent>(`/agents/${agent.id}`)).id).toBe(agent.id);

    await alice.put(`/agents/${agent.id}/memory/human`, { query: { user: "u1" }, body: { value: "Ann" } });
    const own = await alice.get<List<WireBlock>>(`/agents/${agent.id}/memory`, { query: { user: "u1" } });
    expect(own.data.map((block) => [block.label, block.value])).toEqual([["human", "Ann"], ["persona", "I research."]]);
    expect((await alice.get<List<WireBlock>>(`/agents/${agent.id}/memory`, { query: { user: "u2" } })).data[0]!.value).toBe("unknown");
    expect((await server.admin.get<List<WireBlock>>(`/agents/${agent.id}/memory`, { query: { user: "u1" } })).data[0]!.value).toBe("unknown");
  });

  it("enforces memory limits on every API write path", async () => {
    const path = `/agents/${agent.id}/memory/human`;
    expect(await badRequest(alice.put(path, { body: { value: "x".repeat(21) } }))).toMatchObject({ status: 400, code: "memory_limit_exceeded", param: "value" });
    expect(await badRequest(alice.patch(path, { body: { op: "append", text: "x".repeat(20) } }))).toMatchObject({ status: 400, code: "memory_limit_exceeded", param: "text" });
    expect(await badRequest(alice.patch(path, { body: { op: "replace", old: "unknown", new: "x".repeat(21) } }))).toMatchObject({ status: 400, code: "memory_limit_exceeded", param: "new" });
    expect(await badRequest(alice.patch(path, { body: { op: "shout" } }))).toMatchObject({ status: 400, param: "op" });
    expect(await alice.patch<WireBlock>(path, { body: { op: "append", text: "Ann" } })).toMatchObject({ value: "unknown\nAnn", chars: 11, limit_chars: 20 });
    expect((await alice.get<List<WireBlock>>(`/agents/${agent.id}/memory`)).data[0]!.value).toBe("unknown\nAnn");
    // A definition (create, update or import) whose initial value exceeds its limit.
    const tooLong = { ...researcher, name: "verbose", memory: { blocks: [{ label: "human", limit_chars: 3, initial_value: "four" }] } };
    expect(await badRequest(alice.post("/agents", { body: tooLong }))).toMatchObject({ status: 400, code: "memory_limit_exceeded", param: "memory.blocks[0].initial_value" });
    expect(await badRequest(alice.post(`/agents/${agent.id}`, { body: { ...tooLong, name: "researcher" } }))).toMatchObject({ code: "memory_limit_exceeded" });
    expect(await badRequest(alice.post("/agents/import", { body: tooLong }))).toMatchObject({ status: 400, code: "memory_limit_exceeded", param: "memory.blocks[0].initial_value" });
  });

  it("rejects bad definitions with a 400 naming the field", async () => {
    const candidate = { ...researcher, name: "candidate" };
    const cases: [Record<string, unknown>, string, string?][] = [
      [{ ...candidate, tools: [{ type: "webhook" }] }, "tools[0].type"],
      [{ ...candidate, tools: [{ type: "builtin", name: "teleport" }] }, "tools[0].name"],
      [{ ...candidate, tools: [{ type: "function", name: "deep", parameters: nested(70) }] }, "tools[0].parameters"],
      [{ ...candidate, tools: [{ type: "function", name: "big", parameters: { type: "object", description: "x".repeat(70_000) } }] }, "tools[0].parameters"],
      [{ ...candidate, model: "no-such-model" }, "model", "model_not_found"],
      [{ ...candidate, model: "bert" }, "model", "model_not_found"],
      [{ ...candidate, fallback_models: ["stories", "ghost"] }, "fallback_models[1]", "model_not_found"],
      [{ ...researcher, handoffs: ["researcher"] }, "handoffs[0]"],
      [{ ...candidate, handoffs: ["nobody"] }, "handoffs[0]", "agent_not_found"],
      [{ ...researcher, tools: [{ type: "agent", agent: "researcher" }] }, "tools[0].agent"],
      [{ ...candidate, tools: [{ type: "builtin", name: "knowledge_search", knowledge_bases: ["missing"] }] }, "tools[0].knowledge_bases[0]", "knowledge_base_not_found"],
      [{ ...candidate, memory: { blocks: [], archival_knowledge_base: "missing" } }, "memory.archival_knowledge_base", "knowledge_base_not_found"],
      [{ ...candidate, memory: { blocks: [{ label: "a" }, { label: "a" }] } }, "memory.blocks[1].label"],
      [{ ...candidate, approval: { default: "sometimes" } }, "approval.default"],
      [{ ...candidate, limits: { max_steps: 0 } }, "limits.max_steps"],
      [{ ...candidate, temperature: 2 }, "temperature", "unknown_parameter"],
      [{ ...candidate, name: undefined }, "name"],
    ];
    for (const [body, param, code] of cases) {
      const failure = await badRequest(alice.post("/agents", { body }));
      expect({ param: failure.param, status: failure.status, ...(code ? { code: failure.code } : {}) }, JSON.stringify(body).slice(0, 200)).toEqual({ param, status: 400, ...(code ? { code } : {}) });
    }
    // A key that may not use the model cannot build an agent on it.
    const limited = server.client((await server.createKey({ name: "limited", models: ["bert"] })).key);
    expect(await badRequest(limited.post("/agents", { body: { name: "x", model: "stories" } }))).toMatchObject({ status: 400, param: "model", code: "model_not_found" });
    expect(await badRequest(alice.post("/agents", { body: researcher }))).toMatchObject({ status: 409, param: "name", code: "agent_exists" });
    expect(await badRequest(alice.get("/agents", { query: { limit: 0 } }))).toMatchObject({ status: 400, param: "limit" });
  });
});

function nested(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: "string" };
  for (let level = 1; level < depth; level += 1) schema = { type: "array", items: schema };
  return schema;
}
