import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMcpTestServer, type McpTestServer } from "../mcp/mcp-test-server.js";
import { callApi, waitForJob } from "../rag/support/knowledge-server.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream, type ScriptedRequest } from "../support/scripted-upstream.js";
import { postResponses } from "./responses-support.js";

// Request tool types `mcp` (registered and ad-hoc servers, approvals, changed tools) and `file_search` (aiplus
// knowledge bases with citations), against the real server, a real MCP server (the SDK's), tiny-bert embeddings,
// a scripted upstream and the official openai client.
let server: TestServer;
let upstream: ScriptedUpstream;
let mcpServer: McpTestServer;
let carol: { id: string; key: string };
const model = "remote-model";

type Item = { type: string; [field: string]: any };
type RunView = Omit<OpenAIResponse, "output"> & { run_status?: string; output: Item[] };

const lastMessage = (request: ScriptedRequest) => request.messages.at(-1);
const toolResultStartsWith = (prefix: string) => (request: ScriptedRequest) => lastMessage(request)?.role === "tool" && (lastMessage(request)?.content ?? "").startsWith(prefix);

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  mcpServer = await startMcpTestServer();
  server = await startTestServer({ mcpAllowedHosts: "127.0.0.1" });
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
  await server.addModel("tiny-bert-random.gguf", "bert");
  carol = await server.createKey({ name: "carol", models: [model] });
  expect((await callApi(server, server.adminKey, "POST", "/v1/admin/mcp/servers", { label: "tools", url: mcpServer.url })).status).toBe(201);
  expect((await callApi(server, server.adminKey, "POST", "/v1/admin/mcp/servers/tools/tools/approve", { all: true })).status).toBe(200);
  expect((await callApi(server, server.adminKey, "POST", "/v1/knowledge-bases", { name: "handbook", embedding_model: "bert" })).status).toBe(201);
  const upload = await callApi(server, server.adminKey, "POST", "/v1/knowledge-bases/handbook/documents", {
    documents: [
      { name: "vacation.md", text: "# Vacation\n\nNew staff get 25 vacation days per year. Unused days carry over until March." },
      { name: "expenses.txt", text: "Travel expenses are reimbursed within 30 days. Keep every receipt." },
    ],
  });
  expect((await waitForJob(server, server.adminKey, "handbook", upload.body.id)).status).toBe("completed");
}, 120_000);
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
  await mcpServer?.close();
});

describe("mcp request tools", () => {
  it("lists the server's tools, pauses for approval (the default), and calls the tool once approved", async () => {
    upstream.reset();
    upstream.on("user: Echo hi", { toolCall: { name: "tools__echo", arguments: { text: "hi" } } });
    upstream.on("tool: echo: hi", { text: "The server said echo: hi." });
    const mcpTool = { type: "mcp", server_label: "tools" } as never;
    const paused = (await server.admin.responses.create({ model, input: "Echo hi", tools: [mcpTool] })) as RunView;
    expect(paused.run_status).toBe("awaiting_approval");
    const [listing, request] = paused.output;
    expect(listing).toMatchObject({ type: "mcp_list_tools", server_label: "tools", error: null });
    expect(listing!.tools.map((tool: { name: string }) => tool.name).sort()).toEqual(["add", "echo"]);
    expect(listing!.tools.find((tool: { name: string }) => tool.name === "echo")).toMatchObject({ description: "Echoes the text back.", input_schema: { type: "object" } });
    expect(request).toMatchObject({ type: "mcp_approval_request", server_label: "tools", name: "tools__echo", arguments: '{"text":"hi"}' });
    // The model saw the namespaced tools as functions.
    expect(upstream.requests[0]!.tools?.map((tool) => tool.function.name).sort()).toEqual(["tools__add", "tools__echo"]);

    const listedBefore = mcpServer.requests.length;
    const done = (await server.admin.responses.create({
      model,
      previous_response_id: paused.id,
      tools: [mcpTool],
      input: [{ type: "mcp_approval_response", approval_request_id: request!.id, approve: true }] as never,
    })) as RunView;
    expect(done.status).toBe("completed");
    expect(done.output.map((item) => item.type)).toEqual(["mcp_call", "message"]);
    expect(done.output[0]).toMatchObject({ type: "mcp_call", server_label: "tools", name: "tools__echo", output: "echo: hi", error: null, approval_request_id: request!.id });
    expect(done.output_text).toBe("The server said echo: hi.");
    // The continuing response reused the listing (no new mcp_list_tools item) and reached the server for the call.
    expect(mcpServer.requests.length).toBeGreaterThan(listedBefore);
  });

  it("require_approval never: an ad-hoc server_url runs the call at once; its headers are sent but never echoed", async () => {
    upstream.reset();
    upstream.on("user: Add 2 and 3", { toolCall: { name: "adhoc__add", arguments: { a: 2, b: 3 } } });
    upstream.on("tool: 5", { text: "It is 5." });
    const before = mcpServer.requests.length;
    const response = (await server.admin.responses.create({
      model,
      input: "Add 2 and 3",
      tools: [{ type: "mcp", server_label: "adhoc", server_url: mcpServer.url, require_approval: "never", headers: { "X-Token": "s3cret" } } as never],
    })) as RunView;
    expect(response.status).toBe("completed");
    expect(response.output.map((item) => item.type)).toEqual(["mcp_list_tools", "mcp_call", "message"]);
    expect(response.output[1]).toMatchObject({ type: "mcp_call", server_label: "adhoc", name: "adhoc__add", output: "5", error: null });
    expect(response.output_text).toBe("It is 5.");
    expect(JSON.stringify(response)).not.toContain("s3cret");
    expect((response.tools[0] as unknown as { headers: Record<string, string> }).headers).toEqual({ "X-Token": "<redacted>" });
    expect(mcpServer.requests.slice(before).every((entry) => entry.headers.get("x-token") === "s3cret")).toBe(true);
  });

  it("streams mcp_list_tools and mcp_call progress events around their items, as the openai SDK types them", async () => {
    upstream.reset();
    upstream.on("user: Stream 4 plus 5", { toolCall: { name: "adhoc__add", arguments: { a: 4, b: 5 } } });
    upstream.on("tool: 9", { text: "Nine." });
    const stream = await server.admin.responses.create({
      model,
      input: "Stream 4 plus 5",
      stream: true,
      tools: [{ type: "mcp", server_label: "adhoc", server_url: mcpServer.url, require_approval: "never" } as never],
    });
    const events: Array<{ type: string; item_id?: string; output_index?: number; item?: { id: string; type: string } }> = [];
    for await (const event of stream) events.push(event as never);
    const around = (itemType: string, prefix: string) => {
      const added = events.find((event) => event.type === "response.output_item.added" && event.item?.type === itemType)!;
      const id = added.item!.id;
      return events.filter((event) => event.item_id === id || event.item?.id === id).map((event) => event.type.replace(prefix, "*"));
    };
    expect(around("mcp_list_tools", "response.mcp_list_tools.")).toEqual(["response.output_item.added", "*in_progress", "*completed", "response.output_item.done"]);
    expect(around("mcp_call", "response.mcp_call.")).toEqual(["response.output_item.added", "*in_progress", "*completed", "response.output_item.done"]);
    const listing = events.find((event) => event.type === "response.mcp_list_tools.completed")!;
    expect(listing.output_index).toBe(0);
    expect(events.at(-1)!.type).toBe("response.completed");
  });

  it("a listing that fails streams response.mcp_list_tools.failed", async () => {
    upstream.reset();
    upstream.on("user: Use the dead server", { text: "No tools today." });
    const stream = await server.admin.responses.create({
      model,
      input: "Use the dead server",
      stream: true,
      tools: [{ type: "mcp", server_label: "dead", server_url: "http://127.0.0.1:9/mcp", require_approval: "never" } as never],
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toContain("response.mcp_list_tools.in_progress");
    expect(types).toContain("response.mcp_list_tools.failed");
    expect(types).not.toContain("response.mcp_list_tools.completed");
    expect(types.at(-1)).toBe("response.completed");
  });

  it("require_approval {never: {tool_names}} pauses only for the other tools", async () => {
    upstream.reset();
    upstream.on("user: Echo quietly", { toolCall: { name: "tools__echo", arguments: { text: "quiet" } } });
    upstream.on("tool: echo: quiet", { text: "Done." });
    const response = (await server.admin.responses.create({
      model,
      input: "Echo quietly",
      tools: [{ type: "mcp", server_label: "tools", require_approval: { never: { tool_names: ["echo"] } }, allowed_tools: ["echo"] } as never],
    })) as RunView;
    expect(response.status).toBe("completed");
    expect(response.output[0]!.tools.map((tool: { name: string }) => tool.name)).toEqual(["echo"]);
    expect(response.output[1]).toMatchObject({ type: "mcp_call", output: "echo: quiet" });
  });

  it("a tool changed since its approval is refused with a re-approval error, never called", async () => {
    upstream.reset();
    upstream.on(
      (request) => {
        const matches = lastMessage(request)?.content === "Echo after a change";
        if (matches) mcpServer.echoDescription = "Echoes the text back, and more."; // the tool changes after listing
        return matches;
      },
      { toolCall: { name: "tools__echo", arguments: { text: "x" } } },
    );
    upstream.on(toolResultStartsWith("Error:"), { text: "The tool needs re-approval." });
    try {
      const response = (await server.admin.responses.create({
        model,
        input: "Echo after a change",
        tools: [{ type: "mcp", server_label: "tools", require_approval: "never" } as never],
      })) as RunView;
      expect(response.status).toBe("completed");
      const call = response.output.find((item) => item.type === "mcp_call")!;
      expect(call).toMatchObject({ status: "failed", output: null });
      expect(call.error).toContain("re-approve");
      expect(upstream.requests.at(-1)!.messages.at(-1)!.content).toContain("changed since it was approved");
    } finally {
      mcpServer.echoDescription = "Echoes the text back.";
    }
  });

  it("an ad-hoc server's tool changed since it was listed is refused, never called", async () => {
    upstream.reset();
    upstream.on(
      (request) => {
        const matches = lastMessage(request)?.content === "Echo ad hoc after a change";
        if (matches) mcpServer.echoDescription = "A different echo.";
        return matches;
      },
      { toolCall: { name: "adhoc__echo", arguments: { text: "x" } } },
    );
    upstream.on(toolResultStartsWith("Error:"), { text: "Refused." });
    try {
      const response = (await server.admin.responses.create({
        model,
        input: "Echo ad hoc after a change",
        tools: [{ type: "mcp", server_label: "adhoc", server_url: mcpServer.url, require_approval: "never" } as never],
      })) as RunView;
      const call = response.output.find((item) => item.type === "mcp_call")!;
      expect(call).toMatchObject({ status: "failed", output: null });
      expect(call.error).toMatch(/changed since it was listed \(re-approval needed/);
    } finally {
      mcpServer.echoDescription = "Echoes the text back.";
    }
  });

  it("refuses an ad-hoc URL the allow-list does not allow before connecting, an unknown server, and an ungranted key", async () => {
    const before = mcpServer.requests.length;
    for (const url of ["http://10.0.0.1/mcp", "http://[::1]:9/mcp", "ftp://127.0.0.1/mcp"]) {
      const refused = await postResponses(server, { model, input: "x", tools: [{ type: "function", name: "f" }, { type: "mcp", server_label: "evil", server_url: url }] });
      expect([refused.status, refused.json.error.param], url).toEqual([400, "tools[1].server_url"]);
    }
    expect(mcpServer.requests.length).toBe(before);
    const unknown = await postResponses(server, { model, input: "x", tools: [{ type: "mcp", server_label: "nope" }] });
    expect([unknown.status, unknown.json.error.param, unknown.json.error.code]).toEqual([404, "tools[0].server_label", "mcp_server_not_found"]);
    const ungranted = await postResponses(server, { model, input: "x", tools: [{ type: "mcp", server_label: "tools" }] }, carol.key);
    expect([ungranted.status, ungranted.json.error.param]).toEqual([403, "tools[0].server_label"]);
    const badPolicy = await postResponses(server, { model, input: "x", tools: [{ type: "mcp", server_label: "tools", require_approval: "sometimes" }] });
    expect([badPolicy.status, badPolicy.json.error.param]).toEqual([400, "tools[0].require_approval"]);
  });
});

describe("file_search over knowledge bases", () => {
  it("searches the knowledge base, logs a file_search_call with results, and cites the documents", async () => {
    upstream.reset();
    upstream.on("user: How many vacation days do new staff get?", { toolCall: { name: "file_search", arguments: { queries: ["vacation days new staff"] } } });
    upstream.on(toolResultStartsWith("[1]"), { text: "New staff get 25 vacation days." });
    const response = (await server.admin.responses.create({
      model,
      input: "How many vacation days do new staff get?",
      tools: [{ type: "file_search", vector_store_ids: ["handbook"], max_num_results: 2 }],
    })) as RunView;
    expect(response.status).toBe("completed");
    const search = response.output.find((item) => item.type === "file_search_call")!;
    expect(search).toMatchObject({ type: "file_search_call", status: "completed", queries: ["vacation days new staff"] });
    expect(search.results.length).toBeGreaterThan(0);
    expect(search.results.length).toBeLessThanOrEqual(2);
    const vacation = search.results.find((result: { filename: string }) => result.filename === "vacation.md");
    expect(vacation).toMatchObject({ file_id: expect.any(String), attributes: { knowledge_base: "handbook" } });
    expect(vacation.text).toContain("25 vacation days");
    // The model got the passages as the tool result.
    expect(upstream.requests.at(-1)!.messages.at(-1)!.content).toContain("25 vacation days");
    const message = response.output.at(-1)!;
    const annotations = message.content[0].annotations as Array<Record<string, unknown>>;
    expect(annotations).toContainEqual({ type: "file_citation", file_id: vacation.file_id, filename: "vacation.md", index: "New staff get 25 vacation days.".length });
    expect(response.output_text).toBe("New staff get 25 vacation days.");
  });

  it("refuses knowledge bases the key may not use (403) or that do not exist (404), naming tools[i].vector_store_ids", async () => {
    const denied = await postResponses(server, { model, input: "x", tools: [{ type: "file_search", vector_store_ids: ["handbook"] }] }, carol.key);
    expect([denied.status, denied.json.error.param]).toEqual([403, "tools[0].vector_store_ids"]);
    const missing = await postResponses(server, { model, input: "x", tools: [{ type: "file_search", vector_store_ids: ["handbook", "nope"] }] });
    expect([missing.status, missing.json.error.param]).toEqual([404, "tools[0].vector_store_ids"]);
    const empty = await postResponses(server, { model, input: "x", tools: [{ type: "file_search", vector_store_ids: [] }] });
    expect([empty.status, empty.json.error.param]).toEqual([400, "tools[0].vector_store_ids"]);
  });
});
