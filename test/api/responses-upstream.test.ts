import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatDelta, chatFinish, FakeUpstream, respondSse, respondSseThenCut, respondSseThenHold, usageChunk } from "../gateway/fake-upstream.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { newResponsesLedgerRows, postResponses } from "./responses-support.js";

// The Responses API over an upstream provider (a scripted OpenAI-compatible fake), and its input validation.
let server: TestServer;
let upstream: FakeUpstream;
let ledgerRows: ReturnType<typeof newResponsesLedgerRows>;

beforeAll(async () => {
  server = await startTestServer();
  upstream = await FakeUpstream.start();
  await server.admin.post("/admin/providers", { body: { name: "primary", base_url: upstream.baseUrl, api_key: "sk-up", models: ["remote-model"], priority: 1 } });
  await server.admin.put("/admin/prices/remote-model", { body: { input_per_million: 2, output_per_million: 8 } });
  ledgerRows = newResponsesLedgerRows(server);
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

const weatherTool = { type: "function" as const, name: "weather", description: "Weather in a city", strict: true, parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
const toolCallChunk = (id: string, name: string, args: string) => ({
  choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: args } }] }, finish_reason: null }],
});

describe("POST /v1/responses over an upstream provider", () => {
  it("sends instructions, input and text.format as a chat call and bills the upstream's usage", async () => {
    upstream.reset();
    await ledgerRows();
    upstream.script(respondSse([chatDelta('{"ok":'), chatDelta("true}"), chatFinish("stop"), usageChunk({ prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 })]));
    const format = { type: "json_schema" as const, name: "flag", strict: true, schema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } };
    const response = await server.admin.responses.create({ model: "remote-model", instructions: "Answer in JSON.", input: "Is it ok?", text: { format }, temperature: 0.5 });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe('{"ok":true}');
    expect(response.usage).toEqual({ input_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 });
    expect(upstream.hits[0]!.body).toMatchObject({
      model: "remote-model",
      temperature: 0.5,
      messages: [{ role: "system", content: "Answer in JSON." }, { role: "user", content: "Is it ok?" }],
      response_format: { type: "json_schema", json_schema: { name: "flag", schema: format.schema, strict: true } },
    });
    const rows = await ledgerRows();
    // 11 input tokens at $2/1M + 4 output tokens at $8/1M = $0.000054.
    expect(rows).toEqual([expect.objectContaining({ status: "ok", route: "primary", inputTokens: 11, outputTokens: 4, costNanos: 54_000 })]);
  });

  it("a tool call, then its output chained by previous_response_id (earlier instructions are not carried over)", async () => {
    upstream.reset();
    upstream.script(
      respondSse([toolCallChunk("call_up1", "weather", '{"city":"Oslo"}'), chatFinish("tool_calls"), usageChunk({ prompt_tokens: 20, completion_tokens: 7 })]),
      respondSse([chatDelta("Sunny in Oslo."), chatFinish("stop"), usageChunk({ prompt_tokens: 40, completion_tokens: 5 })]),
    );
    const first = await server.admin.responses.create({ model: "remote-model", instructions: "Use tools.", input: "Weather in Oslo?", tools: [weatherTool], tool_choice: "required" });
    expect(first.output).toEqual([
      { id: expect.stringMatching(/^fc_/), type: "function_call", call_id: "call_up1", name: "weather", arguments: '{"city":"Oslo"}', status: "completed" },
    ]);
    expect(upstream.hits[0]!.body).toMatchObject({ tool_choice: "required", tools: [{ type: "function", function: { name: "weather" } }] });

    const second = await server.admin.responses.create({
      model: "remote-model",
      instructions: "Be short.",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: "call_up1", output: "sunny" }],
    });
    expect(second.output_text).toBe("Sunny in Oslo.");
    expect(upstream.hits[1]!.body.messages).toEqual([
      { role: "system", content: "Be short." },
      { role: "user", content: "Weather in Oslo?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_up1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }] },
      { role: "tool", tool_call_id: "call_up1", content: "sunny" },
    ]);
  });

  it("streams a tool call as function_call_arguments events", async () => {
    upstream.reset();
    upstream.script(respondSse([toolCallChunk("call_up2", "weather", '{"city":"Rome"}'), chatFinish("tool_calls"), usageChunk({ prompt_tokens: 9, completion_tokens: 3 })]));
    const stream = await server.admin.responses.create({ model: "remote-model", input: "Rome?", tools: [weatherTool], stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events[4]).toMatchObject({ name: "weather", arguments: '{"city":"Rome"}', output_index: 0 });
    const done = events.at(-1)!;
    if (done.type !== "response.completed") throw new Error("expected response.completed");
    expect(done.response.output[0]).toMatchObject({ type: "function_call", call_id: "call_up2", status: "completed" });
    expect(done.response.usage).toMatchObject({ input_tokens: 9, output_tokens: 3, total_tokens: 12 });
  });

  it("a stream cut mid-way ends with an error event and response.failed, and is stored as failed", async () => {
    upstream.reset();
    upstream.script(respondSseThenCut([chatDelta("partial")]));
    const stream = await server.admin.responses.create({ model: "remote-model", input: "Hi", stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    expect(types.slice(-2)).toEqual(["error", "response.failed"]);
    expect(types).toContain("response.output_text.delta");
    const failed = events.at(-1)!;
    if (failed.type !== "response.failed") throw new Error("expected response.failed");
    expect(failed.response.status).toBe("failed");
    expect(failed.response.error?.message).toBeTruthy();
    expect(failed.response.output[0]).toMatchObject({ type: "message", status: "incomplete", content: [{ type: "output_text", text: "partial" }] });
    expect((await server.admin.responses.retrieve(failed.response.id)).status).toBe("failed");
  });
});

describe("a client that goes away mid-stream", () => {
  it("stops the upstream call; the response is stored as cancelled and the ledger row is cancelled", async () => {
    upstream.reset();
    await ledgerRows();
    upstream.script(respondSseThenHold([chatDelta("never"), chatDelta(" ending")]));
    const controller = new AbortController();
    const stream = await server.admin.responses.create({ model: "remote-model", input: "Go on", stream: true }, { signal: controller.signal });
    let id = "";
    for await (const event of stream) {
      if (event.type === "response.created") id = event.response.id;
      if (event.type === "response.output_text.delta") controller.abort();
    }
    await upstream.closed[0];
    const stored = await eventually(() => server.admin.responses.retrieve(id), (value) => value.status !== "in_progress");
    expect(stored.status).toBe("cancelled");
    expect(stored.output[0]).toMatchObject({ type: "message", status: "incomplete" });
    const rows = await eventually(ledgerRows, (value) => value.length > 0);
    expect(rows).toEqual([expect.objectContaining({ status: "cancelled", route: "primary" })]);
  });
});

/** Polls `read` until `done` holds (the server records the end asynchronously after the client left). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (done(value) || attempt >= 200) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("POST /v1/responses input validation", () => {
  const model = "remote-model";
  const cases: [string, Record<string, unknown>, string, RegExp?][] = [
    ["a message without content", { model, input: [{ type: "message", role: "user" }] }, "input[0].content"],
    ["a message with a bad role", { model, input: [{ role: "tool", content: "x" }] }, "input[0].role"],
    ["an unknown item type", { model, input: [{ type: "banana" }] }, "input[0].type"],
    ["a reasoning item (not yet)", { model, input: [{ type: "reasoning", summary: [] }] }, "input[0].type", /not supported yet/],
    ["an image part (not yet)", { model, input: [{ role: "user", content: [{ type: "input_image", image_url: "https://x" }] }] }, "input[0].content[0].type", /not supported yet/],
    ["a function call without output", { model, input: [{ type: "function_call", call_id: "c1", name: "f", arguments: "{}" }] }, "input", /No tool output found/],
    ["an output without its call", { model, input: [{ type: "function_call_output", call_id: "c9", output: "x" }] }, "input", /No tool call found/],
    ["a tool schema that is not an object", { model, input: "x", tools: [{ type: "function", name: "f", parameters: "nope" }] }, "tools[0].parameters"],
    ["a tool with a bad name", { model, input: "x", tools: [{ type: "function", name: "no spaces allowed" }] }, "tools[0].name"],
    ["a web search tool (not yet)", { model, input: "x", tools: [{ type: "web_search" }] }, "tools[0].type", /not supported yet/],
    ["an MCP server_url that is not http(s)", { model, input: "x", tools: [{ type: "mcp", server_label: "s", server_url: "ftp://x" }] }, "tools[0].server_url", /http\(s\) URL/],
    ["an MCP server label with __", { model, input: "x", tools: [{ type: "mcp", server_label: "a__b", server_url: "https://x" }] }, "tools[0].server_label"],
    ["tool_choice naming a missing tool", { model, input: "x", tools: [weatherTool], tool_choice: { type: "function", name: "other" } }, "tool_choice"],
    ["json_schema without a schema", { model, input: "x", text: { format: { type: "json_schema", name: "s" } } }, "text.format.schema"],
    ["background without store", { model, input: "x", background: true, store: false }, "store", /store: true/],
    ["an approval response for an unknown request", { model, input: [{ type: "mcp_approval_response", approval_request_id: "mcpr_nope", approve: true }] }, "input", /No approval request with id 'mcpr_nope'/],
    ["a malformed approval response", { model, input: [{ type: "mcp_approval_response", approval_request_id: "mcpr_x", approve: "yes" }] }, "input[0].approve"],
    ["an approval response without its request id", { model, input: [{ type: "mcp_approval_response", approve: true }] }, "input[0].approval_request_id"],
    ["an unregistered server tool", { model, input: "x", tools: [{ type: "server_tool", name: "no_such_tool" }] }, "tools", /no server tool named no_such_tool/],
    ["a bad require_approval", { model, input: "x", tools: [{ type: "server_tool", name: "calculator", require_approval: "sometimes" }] }, "tools[0].require_approval"],
    ["max_tool_calls of 0", { model, input: "x", max_tool_calls: 0 }, "max_tool_calls"],
    ["starting_after on a create", { model, input: "x", starting_after: 3 }, "starting_after"],
    ["an unknown field", { model, input: "x", frobnicate: 1 }, "frobnicate"],
    ["a negative max_output_tokens", { model, input: "x", max_output_tokens: -1 }, "max_output_tokens"],
  ];

  it.each(cases)("%s is a 400 naming the param", async (_name, body, param, message) => {
    const { status, json } = await postResponses(server, body);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: "invalid_request_error", param });
    if (message) expect(json.error.message).toMatch(message);
  });

  it("none of the refused requests reached the upstream or the ledger", async () => {
    upstream.reset();
    await ledgerRows();
    for (const [, body] of cases) await postResponses(server, body);
    expect(upstream.hits).toHaveLength(0);
    expect(await ledgerRows()).toHaveLength(0);
  });
});
