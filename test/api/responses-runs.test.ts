import type { Response as OpenAIResponse, ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";
import { newResponsesLedgerRows } from "./responses-support.js";

// Durable response runs: background, polling, cancel, stream resume, the server tool loop, approvals and limits,
// against the real server, a scripted upstream and the official openai client.
let server: TestServer;
let upstream: ScriptedUpstream;
let ledgerRows: ReturnType<typeof newResponsesLedgerRows>;
const model = "remote-model";
const calculator = { type: "server_tool", name: "calculator" } as never;
const guardedCalculator = { type: "server_tool", name: "calculator", require_approval: "always" } as never;

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  server = await startTestServer({ approvalTtlSeconds: 3 });
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
  ledgerRows = newResponsesLedgerRows(server);
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

type RunView = OpenAIResponse & { run_status?: string };

async function poll(id: string, until: (response: RunView) => boolean): Promise<RunView> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const response = (await server.admin.responses.retrieve(id)) as RunView;
    if (until(response)) return response;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`response ${id} never reached the expected state`);
}
const isOver = (response: RunView) => !["queued", "in_progress"].includes(response.status ?? "") || response.run_status === "awaiting_approval";

async function inbox(): Promise<Array<{ id: string; response_id: string; name: string; arguments: string; status: string }>> {
  return (await server.admin.get<{ data: Array<{ id: string; response_id: string; name: string; arguments: string; status: string }> }>("/approvals")).data;
}

describe("background responses", () => {
  it("is queued at once, then polled to completed; billed once", async () => {
    upstream.reset();
    await ledgerRows();
    upstream.on("user: Hello in the background", { text: "Hello back." });
    const created = (await server.admin.responses.create({ model, input: "Hello in the background", background: true })) as RunView;
    expect(created.status).toBe("queued");
    expect(created.background).toBe(true);
    const done = await poll(created.id, isOver);
    expect(done.status).toBe("completed");
    expect(done.run_status).toBe("completed");
    expect(done.output_text).toBe("Hello back.");
    expect(await ledgerRows()).toEqual([expect.objectContaining({ status: "ok", endpoint: "responses", outputTokens: 5 })]);
  });

  it("cancel aborts the in-flight model call: cancelled, the ledger row cancelled", async () => {
    upstream.reset();
    await ledgerRows();
    upstream.on("user: Take your time", { hold: true });
    const created = await server.admin.responses.create({ model, input: "Take your time", background: true });
    await upstream.waitForRequests(1);
    await poll(created.id, (response) => response.status === "in_progress");
    const cancelled = await server.admin.responses.cancel(created.id);
    expect(cancelled.status).toBe("cancelled");
    expect((await server.admin.responses.retrieve(created.id)).status).toBe("cancelled");
    expect(await ledgerRows()).toEqual([expect.objectContaining({ status: "cancelled" })]);
    // Cancelling again changes nothing.
    expect((await server.admin.responses.cancel(created.id)).status).toBe("cancelled");
  });

  it("streams, survives the client going away, and resumes from starting_after", async () => {
    upstream.reset();
    upstream.on("user: Compute for me", { toolCall: { name: "calculator", arguments: { expression: "6*7" } } });
    upstream.on("tool: 42", { text: "It is 42." });
    const stream = await server.admin.responses.create({ model, input: "Compute for me", tools: [calculator], background: true, stream: true });
    const first: ResponseStreamEvent[] = [];
    for await (const event of stream) {
      first.push(event);
      if (first.length === 2) break; // the client goes away
    }
    expect(first.map((event) => event.type)).toEqual(["response.created", "response.queued"]);
    const id = (first[0] as { response: { id: string } }).response.id;
    expect((await poll(id, isOver)).status).toBe("completed");
    const resumed = await server.admin.responses.retrieve(id, { stream: true, starting_after: 1 });
    const rest: ResponseStreamEvent[] = [];
    for await (const event of resumed) rest.push(event);
    expect(rest.map((event) => event.sequence_number)).toEqual(rest.map((_, index) => index + 2));
    expect(rest.at(-1)?.type).toBe("response.completed");
    expect(rest.map((event) => event.type)).toContain("response.mcp_call.completed");
    const text = rest.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : [])).join("");
    expect(text).toBe("It is 42.");
    // A resume past the end returns nothing more.
    const none: ResponseStreamEvent[] = [];
    for await (const event of await server.admin.responses.retrieve(id, { stream: true, starting_after: rest.at(-1)!.sequence_number })) none.push(event);
    expect(none).toEqual([]);
  });
});

describe("the server tool loop", () => {
  it("runs a server tool and continues the model with its result (each call metered)", async () => {
    upstream.reset();
    await ledgerRows();
    upstream.on("user: What is 6*7?", { toolCall: { name: "calculator", arguments: { expression: "6*7" } } });
    upstream.on("tool: 42", { text: "6*7 is 42." });
    const response = await server.admin.responses.create({ model, input: "What is 6*7?", tools: [calculator] });
    expect(response.status).toBe("completed");
    expect(response.output.map((item) => item.type)).toEqual(["mcp_call", "message"]);
    expect(response.output[0]).toMatchObject({ type: "mcp_call", server_label: "aiplus", name: "calculator", arguments: '{"expression":"6*7"}', output: "42", error: null });
    expect(response.output_text).toBe("6*7 is 42.");
    expect(response.usage).toMatchObject({ input_tokens: 20, output_tokens: 10 });
    expect(upstream.requests[0]!.tools?.map((tool) => tool.function.name)).toEqual(["calculator"]);
    expect(upstream.rejected).toEqual([]);
    expect(await ledgerRows()).toHaveLength(2);
  });

  it("a looping model is stopped by max_tool_calls: incomplete, no dangling call", async () => {
    upstream.reset();
    upstream.on((request) => (request.tools ?? []).length > 0, { toolCall: { name: "calculator", arguments: { expression: "1+1" } } });
    // max_tool_calls is a Responses API field the openai client's types do not list yet.
    const response = await server.admin.responses.create({ model, input: "Loop forever", tools: [calculator], tool_choice: "required", ...({ max_tool_calls: 3 } as object) });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_tool_calls" });
    expect(response.output.filter((item) => item.type === "mcp_call")).toHaveLength(3);
    expect(upstream.requests).toHaveLength(4);
    expect(upstream.rejected).toEqual([]);
  });
});

describe("approvals", () => {
  it("pauses for approval; an mcp_approval_response in a chained response continues the run", async () => {
    upstream.reset();
    upstream.on("user: Add 2 and 3", { toolCall: { name: "calculator", arguments: { expression: "2+3" } } });
    upstream.on("tool: 5", { text: "The sum is 5." });
    const first = (await server.admin.responses.create({ model, input: "Add 2 and 3", tools: [guardedCalculator] })) as RunView;
    expect(first.status).toBe("in_progress");
    expect(first.run_status).toBe("awaiting_approval");
    const request = first.output[0] as { id: string };
    expect(request).toMatchObject({ type: "mcp_approval_request", server_label: "aiplus", name: "calculator", arguments: '{"expression":"2+3"}' });
    expect((await inbox()).map((approval) => approval.id)).toContain(request.id);

    const second = await server.admin.responses.create({
      model,
      previous_response_id: first.id,
      tools: [guardedCalculator],
      input: [{ type: "mcp_approval_response", approval_request_id: request.id, approve: true }],
    });
    expect(second.status).toBe("completed");
    expect(second.output.map((item) => item.type)).toEqual(["mcp_call", "message"]);
    expect(second.output[0]).toMatchObject({ output: "5", approval_request_id: request.id });
    expect(second.output_text).toBe("The sum is 5.");
    expect((await server.admin.responses.retrieve(first.id)).status).toBe("completed");
    expect((await inbox()).map((approval) => approval.id)).not.toContain(request.id);
    expect(upstream.rejected).toEqual([]);
    // Answering it again is a 400 naming the input.
    await expect(
      server.admin.responses.create({ model, previous_response_id: first.id, input: [{ type: "mcp_approval_response", approval_request_id: request.id, approve: true }] }),
    ).rejects.toMatchObject({ status: 400, error: { param: "input" } });
  });

  it("a denial from the inbox gives the call a denial result and the run goes on (the next call is valid)", async () => {
    upstream.reset();
    upstream.on("user: Multiply 3 and 4", { toolCall: { name: "calculator", arguments: { expression: "3*4" } } });
    upstream.on("tool: Error: the call was not approved: not today", { text: "I may not compute that." });
    const first = (await server.admin.responses.create({ model, input: "Multiply 3 and 4", tools: [guardedCalculator], background: true })) as RunView;
    const paused = await poll(first.id, isOver);
    expect(paused.run_status).toBe("awaiting_approval");
    const approval = (await inbox()).find((entry) => entry.response_id === first.id)!;
    const denied = await server.admin.post<{ status: string; reason: string }>(`/approvals/${approval.id}/deny`, { body: { reason: "not today" } });
    expect(denied).toMatchObject({ status: "denied", reason: "not today" });
    const done = await poll(first.id, isOver);
    expect(done.status).toBe("completed");
    expect(done.output.map((item) => item.type)).toEqual(["mcp_approval_request", "mcp_call", "message"]);
    expect(done.output[1]).toMatchObject({ error: "the call was not approved: not today", output: null });
    expect(upstream.rejected).toEqual([]);
    await expect(server.admin.post(`/approvals/${approval.id}/approve`)).rejects.toMatchObject({ status: 409 });
    await expect(server.admin.post("/approvals/mcpr_unknown/approve")).rejects.toMatchObject({ status: 404, error: { param: "approval_id" } });
  });

  it("an approval nobody decides expires: denied as expired, the run completes", async () => {
    upstream.reset();
    upstream.on("user: Divide 8 by 2", { toolCall: { name: "calculator", arguments: { expression: "8/2" } } });
    upstream.on("tool: Error: the call was not approved: expired", { text: "Nobody approved." });
    const first = await server.admin.responses.create({ model, input: "Divide 8 by 2", tools: [guardedCalculator], background: true });
    const done = await poll(first.id, (response) => response.status === "completed");
    expect(done.output[1]).toMatchObject({ type: "mcp_call", error: "the call was not approved: expired" });
    expect(done.output_text).toBe("Nobody approved.");
    expect(upstream.rejected).toEqual([]);
  });
});
