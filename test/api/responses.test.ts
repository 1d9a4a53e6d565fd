import OpenAI from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { newResponsesLedgerRows } from "./responses-support.js";

// The Responses API against the real server and the local tiny model, through the official openai client.
let server: TestServer;
let ledgerRows: ReturnType<typeof newResponsesLedgerRows>;
beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  ledgerRows = newResponsesLedgerRows(server);
});
afterAll(async () => server?.close());

const appleTool = {
  type: "function" as const,
  name: "count_apples",
  description: "Counts apples",
  strict: true,
  parameters: { type: "object", properties: { basket: { type: "integer" }, ripe: { type: "boolean" } }, required: ["basket", "ripe"], additionalProperties: false },
};

describe("POST /v1/responses on the local model", () => {
  it("answers text cut by max_output_tokens as an incomplete response, billed exactly in the ledger", async () => {
    await ledgerRows();
    const response = await server.admin.responses.create({ model: "stories", input: "Once upon a time", max_output_tokens: 8, temperature: 0 });
    expect(response.id).toMatch(/^resp_/);
    expect(response.object).toBe("response");
    expect(response.model).toBe("stories");
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(response.output).toHaveLength(1);
    const message = response.output[0]!;
    if (message.type !== "message") throw new Error("expected a message");
    expect(message.id).toMatch(/^msg_/);
    expect(message.role).toBe("assistant");
    expect(message.status).toBe("incomplete");
    expect(message.content[0]).toMatchObject({ type: "output_text", annotations: [] });
    expect(response.output_text.length).toBeGreaterThan(0);
    expect(response.usage?.output_tokens).toBe(8);
    expect(response.usage?.total_tokens).toBe(response.usage!.input_tokens + 8);
    expect(response.created_at).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    expect(response).toMatchObject({ store: true, temperature: 0, tools: [], tool_choice: "auto", text: { format: { type: "text" } }, previous_response_id: null, error: null, metadata: {} });
    const rows = await ledgerRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ok", model: "stories", route: "local", inputTokens: response.usage!.input_tokens, outputTokens: 8 });
  });

  it("streams the standard events: numbered in order, deltas add up to the final text", async () => {
    const request = { model: "stories", input: "Once upon a time", max_output_tokens: 12, temperature: 0 };
    const whole = await server.admin.responses.create(request);
    const stream = await server.admin.responses.create({ ...request, stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
    expect(types.slice(-4)).toEqual(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.incomplete"]);
    const deltas = events.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : []));
    expect(deltas.length).toBeGreaterThan(0);
    const last = events.at(-1)!;
    if (last.type !== "response.incomplete") throw new Error("expected response.incomplete");
    const finalMessage = last.response.output[0];
    if (finalMessage?.type !== "message" || finalMessage.content[0]?.type !== "output_text") throw new Error("expected a text message");
    expect(deltas.join("")).toBe(finalMessage.content[0].text);
    expect(deltas.join("")).toBe(whole.output_text);
    const created = events[0]!;
    if (created.type !== "response.created") throw new Error("expected response.created");
    expect(created.response).toMatchObject({ id: last.response.id, status: "in_progress", output: [] });
    expect(last.response.usage?.output_tokens).toBe(12);
    const stored = await server.admin.responses.retrieve(last.response.id);
    expect(stored.status).toBe("incomplete");
    expect(stored.output_text).toBe(whole.output_text);
  });

  it("json_schema text format is grammar-enforced and parses", async () => {
    const response = await server.admin.responses.create({
      model: "stories",
      input: "Describe a cat",
      max_output_tokens: 200,
      temperature: 0,
      text: {
        format: {
          type: "json_schema",
          name: "cat",
          strict: true,
          schema: { type: "object", properties: { lives: { type: "integer" }, mood: { enum: ["happy", "sad"] } }, required: ["lives", "mood"], additionalProperties: false },
        },
      },
    });
    expect(response.status).toBe("completed");
    const value = JSON.parse(response.output_text) as Record<string, unknown>;
    expect(Object.keys(value).sort()).toEqual(["lives", "mood"]);
    expect(Number.isInteger(value.lives)).toBe(true);
    expect(["happy", "sad"]).toContain(value.mood);
    expect(response.text?.format).toMatchObject({ type: "json_schema", name: "cat" });
  });

  it("a forced function call, then its output through previous_response_id", async () => {
    await ledgerRows();
    const first = await server.admin.responses.create({
      model: "stories",
      instructions: "You count apples.",
      input: "How many apples?",
      max_output_tokens: 200,
      temperature: 0,
      tools: [appleTool],
      tool_choice: { type: "function", name: "count_apples" },
    });
    expect(first.status).toBe("completed");
    const call = first.output.find((item) => item.type === "function_call");
    if (call?.type !== "function_call") throw new Error("expected a function_call item");
    expect(call.id).toMatch(/^fc_/);
    expect(call.call_id).toMatch(/^call_/);
    expect(call.name).toBe("count_apples");
    expect(call.status).toBe("completed");
    const parsed = JSON.parse(call.arguments) as { basket: unknown; ripe: unknown };
    expect(Number.isInteger(parsed.basket)).toBe(true);
    expect(typeof parsed.ripe).toBe("boolean");

    // Without its output, the next turn is refused, as OpenAI does.
    await expect(server.admin.responses.create({ model: "stories", previous_response_id: first.id, input: "And pears?" })).rejects.toMatchObject({
      status: 400,
      param: "input",
    });

    const second = await server.admin.responses.create({
      model: "stories",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "3" }],
      max_output_tokens: 6,
      temperature: 0,
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.instructions).toBeNull();
    expect(second.output[0]?.type).toBe("message");
    const rows = await ledgerRows();
    // One row per model call (the refused request opened none), each with the response's exact usage.
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => [row.inputTokens, row.outputTokens]).sort()).toEqual(
      [[first.usage!.input_tokens, first.usage!.output_tokens], [second.usage!.input_tokens, 6]].sort(),
    );
    const items = await server.admin.responses.inputItems.list(second.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: "function_call_output", call_id: call.call_id, output: "3", status: "completed" });
  });

  it("retrieve, list input items with paging, cancel (400) and delete", async () => {
    const input = [
      { role: "developer" as const, content: "Be brief." },
      { role: "user" as const, content: [{ type: "input_text" as const, text: "Once upon" }] },
      { type: "message" as const, role: "assistant" as const, content: "a time" },
      { role: "user" as const, content: "there was" },
    ];
    const created = await server.admin.responses.create({ model: "stories", input, max_output_tokens: 4, temperature: 0, metadata: { topic: "tales" } });
    const retrieved = await server.admin.responses.retrieve(created.id);
    expect(retrieved).toEqual(created);
    expect(retrieved.metadata).toEqual({ topic: "tales" });

    const newestFirst = await server.admin.responses.inputItems.list(created.id);
    expect(newestFirst.data.map((item) => (item.type === "message" ? item.role : item.type))).toEqual(["user", "assistant", "user", "developer"]);
    const page = await server.admin.responses.inputItems.list(created.id, { order: "asc", limit: 3 });
    expect(page.data).toHaveLength(3);
    expect(page.has_more).toBe(true);
    expect(page.data[1]).toMatchObject({ type: "message", role: "user", status: "completed", content: [{ type: "input_text", text: "Once upon" }] });
    expect(page.data[2]).toMatchObject({ role: "assistant", content: [{ type: "output_text", text: "a time" }] });
    const rest = await server.admin.responses.inputItems.list(created.id, { order: "asc", limit: 3, after: page.data[2]!.id });
    expect(rest.data.map((item) => item.id)).toEqual([newestFirst.data[0]!.id]);
    expect(rest.has_more).toBe(false);
    const all = [];
    for await (const item of server.admin.responses.inputItems.list(created.id, { order: "asc", limit: 1 })) all.push(item.id);
    expect(all).toEqual(newestFirst.data.map((item) => item.id).reverse());

    await expect(server.admin.responses.cancel(created.id)).rejects.toMatchObject({ status: 400 });
    await server.admin.responses.delete(created.id);
    await expect(server.admin.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(server.admin.responses.inputItems.list(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it("another key gets 404 for every read, and store:false is never stored", async () => {
    const own = await server.admin.responses.create({ model: "stories", input: "Hello", max_output_tokens: 2 });
    const { key } = await server.createKey({ name: "other" });
    const other = server.client(key);
    await expect(other.responses.retrieve(own.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.inputItems.list(own.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.cancel(own.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.delete(own.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.create({ model: "stories", input: "Hi", previous_response_id: own.id })).rejects.toMatchObject({
      status: 404,
      param: "previous_response_id",
    });
    expect((await server.admin.responses.retrieve(own.id)).id).toBe(own.id);

    const unstored = await other.responses.create({ model: "stories", input: "Hello", max_output_tokens: 2, store: false });
    expect((unstored as unknown as { store: boolean }).store).toBe(false);
    await expect(other.responses.retrieve(unstored.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.create({ model: "stories", input: "Hi", previous_response_id: unstored.id })).rejects.toMatchObject({ status: 404 });
  });

  it("unknown model is 404 and nothing is stored or billed", async () => {
    await ledgerRows();
    await expect(server.admin.responses.create({ model: "no-such-model", input: "Hi" })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(await ledgerRows()).toHaveLength(0);
  });
});
