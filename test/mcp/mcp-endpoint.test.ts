import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { callApi, waitForJob } from "../rag/support/knowledge-server.js";

let server: TestServer;
let carol: { id: string; key: string };
let dave: { id: string; key: string };
const clients: Client[] = [];

/** The official SDK client against aiplus's `/mcp`, with `key` as the bearer token (or none). */
async function connect(key: string | undefined): Promise<Client> {
  const client = new Client({ name: "aiplus-test", version: "1.0.0" });
  const headers: Record<string, string> = key === undefined ? {} : { authorization: `Bearer ${key}` };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

const textOf = (result: Record<string, unknown>) => (result.content as Array<{ type: string; text: string }>).map((part) => part.text).join("\n");

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("tiny-bert-random.gguf", "bert");
  carol = await server.createKey({ name: "carol" });
  dave = await server.createKey({ name: "dave" });
  for (const [name, documents] of [
    ["handbook", [{ name: "vacation.md", text: "# Vacation\n\nNew staff get 25 vacation days per year. Unused days carry over until March." }]],
    ["secrets", [{ name: "plans.txt", text: "The launch code word is marmalade." }]],
  ] as const) {
    expect((await callApi(server, server.adminKey, "POST", "/v1/knowledge-bases", { name, embedding_model: "bert" })).status).toBe(201);
    const upload = await callApi(server, server.adminKey, "POST", `/v1/knowledge-bases/${name}/documents`, { documents });
    expect((await waitForJob(server, server.adminKey, name, upload.body.id)).status).toBe("completed");
  }
  expect((await callApi(server, server.adminKey, "POST", "/v1/knowledge-bases/handbook/grants", { key: carol.id })).status).toBe(201);
}, 120_000);
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await server?.close();
});

describe("aiplus as an MCP server at /mcp", () => {
  it("refuses requests without a valid API key (401)", async () => {
    await expect(connect(undefined)).rejects.toMatchObject({ code: 401, message: expect.stringContaining("authentication_error") });
    await expect(connect("aip_not_a_real_key_0000000000")).rejects.toMatchObject({ code: 401 });
    const raw = await fetch(`${server.url}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(raw.status).toBe(401);
  });

  it("lists knowledge_search with only the granted knowledge bases and returns passages with citations", async () => {
    const client = await connect(carol.key);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["knowledge_search"]);
    const schema = tools[0]!.inputSchema as { properties: Record<string, { enum?: string[] }> };
    expect(schema.properties.knowledge_base?.enum).toEqual(["handbook"]);
    const result = await client.callTool({ name: "knowledge_search", arguments: { knowledge_base: "handbook", query: "How many vacation days do new staff get?", top_k: 2 } });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as { knowledge_base: string; results: Array<Record<string, unknown>> };
    expect(structured.knowledge_base).toBe("handbook");
    expect(structured.results[0]).toMatchObject({ document: "vacation.md", chunk_id: expect.any(Number), score: expect.any(Number) });
    expect(structured.results[0]!.text).toContain("25 vacation days");
    expect(textOf(result)).toMatch(/\[1\] vacation\.md \(chunk \d+, score/);
  });

  it("does not let a key search a knowledge base it was not granted", async () => {
    const carolClient = await connect(carol.key);
    const outside = await carolClient.callTool({ name: "knowledge_search", arguments: { knowledge_base: "secrets", query: "code word" } });
    expect(outside.isError).toBe(true);
    expect(textOf(outside)).toMatch(/knowledge_base/);
    expect(textOf(outside)).not.toContain("marmalade");

    const daveClient = await connect(dave.key);
    expect((await daveClient.listTools()).tools).toEqual([]);
    const denied = await daveClient.callTool({ name: "knowledge_search", arguments: { knowledge_base: "handbook", query: "vacation" } }).catch((error: Error) => ({ isError: true, content: [{ type: "text", text: error.message }] }));
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).not.toContain("vacation days");
  });

  it("lets admin keys search every knowledge base and names the bad argument", async () => {
    const client = await connect(server.adminKey);
    const schema = (await client.listTools()).tools[0]!.inputSchema as { properties: Record<string, { enum?: string[] }> };
    expect(schema.properties.knowledge_base?.enum).toEqual(["handbook", "secrets"]);
    const hit = await client.callTool({ name: "knowledge_search", arguments: { knowledge_base: "secrets", query: "launch code word" } });
    expect(textOf(hit)).toContain("marmalade");
    const badTopK = await client.callTool({ name: "knowledge_search", arguments: { knowledge_base: "handbook", query: "vacation", top_k: 0 } });
    expect(badTopK.isError).toBe(true);
    expect(textOf(badTopK)).toContain("top_k");
    const emptyQuery = await client.callTool({ name: "knowledge_search", arguments: { knowledge_base: "handbook", query: "  " } });
    expect([emptyQuery.isError, textOf(emptyQuery).includes("query")]).toEqual([true, true]);
  });

  it("answers malformed HTTP requests with 400 and GET with 405", async () => {
    const headers = { authorization: `Bearer ${carol.key}`, "content-type": "application/json", accept: "application/json, text/event-stream" };
    const broken = await fetch(`${server.url}/mcp`, { method: "POST", headers, body: "{not json" });
    expect(broken.status).toBe(400);
    expect((await fetch(`${server.url}/mcp`, { headers: { authorization: `Bearer ${carol.key}` } })).status).toBe(405);
  });
});
