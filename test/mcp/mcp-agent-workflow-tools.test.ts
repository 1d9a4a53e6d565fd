import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newResponsesLedgerRows } from "../api/responses-support.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { type ScriptedRequest, ScriptedUpstream } from "../support/scripted-upstream.js";

// Agents and workflows as tools of aiplus's MCP server (`/mcp`): the official SDK client, the real server, a scripted
// upstream. Each key sees only its own agents and workflows; a call runs them durably, billed to the calling key.
let server: TestServer;
let upstream: ScriptedUpstream;
let alice: { id: string; key: string };
let bob: { id: string; key: string };
let ledgerRows: ReturnType<typeof newResponsesLedgerRows>;
const clients: Client[] = [];
const model = "agent-model";

async function connect(key: string): Promise<Client> {
  const client = new Client({ name: "aiplus-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  clients.push(client);
  return client;
}

async function post(path: string, body: unknown, key: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

const textOf = (result: Record<string, unknown>) => (result.content as Array<{ type: string; text: string }>).map((part) => part.text).join("\n");
const system = (request: ScriptedRequest) => (request.messages[0]?.role === "system" ? (request.messages[0].content ?? "") : "");
const last = (request: ScriptedRequest) => request.messages.at(-1);

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  server = await startTestServer();
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
  alice = await server.createKey({ name: "alice" });
  bob = await server.createKey({ name: "bob" });
  ledgerRows = newResponsesLedgerRows(server);
  expect((await post("/agents", { name: "helper", model, instructions: "Agent helper: answer briefly." }, alice.key)).status).toBe(200);
  expect(
    (await post("/agents", {
      name: "careful", model, instructions: "Agent careful.",
      tools: [{ type: "builtin", name: "memory" }], memory: { blocks: [{ label: "notes" }] }, approval: { default: "never", per_tool: { memory_append: "always" } },
    }, alice.key)).status,
  ).toBe(200);
  expect((await post("/agents", { name: "bobs-agent", model, instructions: "Agent of bob." }, bob.key)).status).toBe(200);
  expect((await post("/workflows", { name: "greet", inputs: { name: { type: "string", description: "who to greet" } }, steps: [{ id: "hello", type: "llm", model, prompt: "Greet {{inputs.name}}" }] }, alice.key)).status).toBe(200);
  expect((await post("/workflows", { name: "ask", steps: [{ id: "confirm", type: "human_input", prompt: "Go ahead?" }] }, alice.key)).status).toBe(200);
  expect((await post("/workflows", { name: "bobs-flow", steps: [{ id: "wait", type: "human_input", prompt: "?" }] }, bob.key)).status).toBe(200);
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await server?.close();
  await upstream?.stop();
});

describe("agents and workflows as MCP tools", () => {
  it("lists only the calling key's agents and workflows, with the workflow's declared inputs as the schema", async () => {
    const names = (await (await connect(alice.key)).listTools()).tools.map((tool) => tool.name).sort();
    expect(names).toEqual(["agent__careful", "agent__helper", "workflow__ask", "workflow__greet"]);
    const bobTools = await (await connect(bob.key)).listTools();
    expect(bobTools.tools.map((tool) => tool.name).sort()).toEqual(["agent__bobs-agent", "workflow__bobs-flow"]);
    const greet = (await (await connect(alice.key)).listTools()).tools.find((tool) => tool.name === "workflow__greet")!;
    expect(greet.inputSchema).toMatchObject({ type: "object", properties: { name: { type: "string", description: "who to greet" } }, required: ["name"] });
    // Another key's tool cannot be called either.
    const refused = await (await connect(bob.key)).callTool({ name: "agent__helper", arguments: { input: "hi" } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("agent__helper");
  });

  it("calling an agent tool runs the agent as a durable run and returns the scripted answer, billed to the calling key", async () => {
    upstream.reset();
    upstream.on((request) => system(request).includes("Agent helper") && last(request)?.content === "What is 2+2?", { text: "It is 4." });
    await ledgerRows();
    const result = await (await connect(alice.key)).callTool({ name: "agent__helper", arguments: { input: "What is 2+2?", user: "u7" } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe("It is 4.");
    const structured = result.structuredContent as { response_id: string; status: string };
    expect(structured.status).toBe("completed");
    const rows = await ledgerRows();
    expect(rows.length).toBe(1);
    expect(rows.every((row) => row.keyId === alice.id)).toBe(true);
    // The run is a stored response of alice's key, like POST /v1/responses with `agent`.
    const stored = await fetch(`${server.url}/v1/responses/${structured.response_id}`, { headers: { authorization: `Bearer ${alice.key}` } });
    expect(stored.status).toBe(200);
    expect(((await stored.json()) as { output_text?: string; user?: string; status: string }).status).toBe("completed");
  });

  it("a run that pauses for approval returns at once with the approval id", async () => {
    upstream.reset();
    upstream.on((request) => system(request).includes("Agent careful") && last(request)?.content === "Note this", { toolCall: { name: "memory_append", arguments: { label: "notes", text: "noted" } } });
    const result = await (await connect(alice.key)).callTool({ name: "agent__careful", arguments: { input: "Note this" } });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as { response_id: string; status: string; approvals: Array<{ id: string; name: string }> };
    expect(structured.status).toBe("awaiting_approval");
    expect(structured.approvals).toEqual([expect.objectContaining({ name: "memory_append" })]);
    expect(textOf(result)).toContain(structured.approvals[0]!.id);
    const inbox = await fetch(`${server.url}/v1/approvals`, { headers: { authorization: `Bearer ${alice.key}` } });
    expect(((await inbox.json()) as { data: Array<{ id: string }> }).data.map((entry) => entry.id)).toContain(structured.approvals[0]!.id);
  });

  it("calling a workflow tool runs it with the inputs and returns its output; human_input returns the waiting run id", async () => {
    upstream.reset();
    upstream.on((request) => String(last(request)?.content ?? "").startsWith("Greet Ada"), { text: "Hello, Ada!" });
    const client = await connect(alice.key);
    const result = await client.callTool({ name: "workflow__greet", arguments: { name: "Ada" } });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(textOf(result)).toContain("Hello, Ada!");
    expect(result.structuredContent).toMatchObject({ status: "completed" });
    const missing = await client.callTool({ name: "workflow__greet", arguments: {} });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain("name");

    const waiting = await client.callTool({ name: "workflow__ask", arguments: {} });
    expect(waiting.isError).toBeFalsy();
    const structured = waiting.structuredContent as { run_id: string; status: string; waiting_steps: string[] };
    expect(structured).toMatchObject({ status: "awaiting_input", waiting_steps: ["confirm"] });
    expect(textOf(waiting)).toContain(structured.run_id);
  });
});
