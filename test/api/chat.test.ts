import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  await server.addModel("tiny-llama-moe-random.gguf", "moe");
});
afterAll(async () => server?.close());

const messages = [{ role: "user" as const, content: "Once upon a time" }];

describe("chat completions through the openai SDK", () => {
  it("greedy non-streaming and streaming chat give the same text and exact usage", async () => {
    const completion = await server.admin.chat.completions.create({ model: "stories", messages, max_tokens: 24, temperature: 0 });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("stories");
    const choice = completion.choices[0]!;
    expect(choice.message.role).toBe("assistant");
    expect(choice.message.content?.length).toBeGreaterThan(0);
    expect(choice.finish_reason).toBe("length");
    expect(completion.usage).toMatchObject({ completion_tokens: 24 });
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + 24);

    const stream = await server.admin.chat.completions.create({
      model: "stories",
      messages,
      max_tokens: 24,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(choice.message.content);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish?.choices[0]?.finish_reason).toBe("length");
    const last = chunks[chunks.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(completion.usage);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it("the SSE stream ends with data: [DONE] and carries no usage chunk unless asked", async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "stories", messages, max_tokens: 5, temperature: 0, stream: true }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = (await response.text()).split("\n\n").filter(Boolean);
    expect(events[events.length - 1]).toBe("data: [DONE]");
    const payloads = events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, "")) as { choices: unknown[]; usage?: unknown });
    expect(payloads.every((payload) => payload.choices.length === 1 && payload.usage === undefined)).toBe(true);
  });

  it("a stop sequence ends the text before it", async () => {
    const free = await server.admin.chat.completions.create({ model: "stories", messages, max_tokens: 30, temperature: 0 });
    const text = free.choices[0]!.message.content ?? "";
    const stop = text.slice(12, 16);
    const stopped = await server.admin.chat.completions.create({ model: "stories", messages, max_tokens: 30, temperature: 0, stop: [stop, "zzzz"] });
    expect(stopped.choices[0]!.message.content).toBe(text.slice(0, text.indexOf(stop)));
    expect(stopped.choices[0]!.finish_reason).toBe("stop");
  });

  it("a forced tool call returns tool_calls whose arguments parse", async () => {
    const completion = await server.admin.chat.completions.create({
      model: "stories",
      messages: [{ role: "user", content: "How many apples?" }],
      max_tokens: 200,
      temperature: 0,
      tools: [
        {
          type: "function",
          function: {
            name: "count_apples",
            description: "Counts apples",
            parameters: { type: "object", properties: { basket: { type: "integer" }, ripe: { type: "boolean" } }, required: ["basket", "ripe"], additionalProperties: false },
          },
        },
      ],
      tool_choice: { type: "function", function: { name: "count_apples" } },
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("count_apples");
    expect(call.id).toMatch(/^call_/);
    const parsed = JSON.parse(call.function.arguments) as { basket: unknown; ripe: unknown };
    expect(Number.isInteger(parsed.basket)).toBe(true);
    expect(typeof parsed.ripe).toBe("boolean");
  });

  it("a streamed forced tool call arrives as a tool_calls delta", async () => {
    const stream = await server.admin.chat.completions.create({
      model: "stories",
      messages: [{ role: "user", content: "Pick" }],
      max_tokens: 100,
      temperature: 0,
      stream: true,
      tools: [{ type: "function", function: { name: "pick", parameters: { type: "object", properties: { color: { enum: ["red", "blue"] } }, required: ["color"] } } }],
      tool_choice: "required",
    });
    const deltas = [];
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
    expect(finishReason).toBe("tool_calls");
    expect(deltas[0]?.function?.name).toBe("pick");
    expect(["red", "blue"]).toContain((JSON.parse(deltas[0]?.function?.arguments ?? "") as { color: string }).color);
  });

  it("json_schema output parses and validates against the schema", async () => {
    const completion = await server.admin.chat.completions.create({
      model: "stories",
      messages: [{ role: "user", content: "Describe a cat" }],
      max_tokens: 200,
      temperature: 0,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "cat",
          strict: true,
          schema: {
            type: "object",
            properties: { lives: { type: "integer" }, mood: { enum: ["happy", "sad"] }, sleepy: { type: "boolean" } },
            required: ["lives", "mood", "sleepy"],
            additionalProperties: false,
          },
        },
      },
    });
    const value = JSON.parse(completion.choices[0]!.message.content ?? "") as Record<string, unknown>;
    expect(Object.keys(value).sort()).toEqual(["lives", "mood", "sleepy"]);
    expect(Number.isInteger(value.lives)).toBe(true);
    expect(["happy", "sad"]).toContain(value.mood);
    expect(typeof value.sleepy).toBe("boolean");
  });

  it("logprobs have OpenAI's shape, one entry per generated token", async () => {
    const completion = await server.admin.chat.completions.create({ model: "stories", messages, max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 3 });
    const content = completion.choices[0]!.logprobs?.content ?? [];
    expect(content).toHaveLength(8);
    expect(content.map((entry) => entry.token).join("")).toBe(completion.choices[0]!.message.content);
    for (const entry of content) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.bytes).toEqual([...Buffer.from(entry.token, "utf8")]);
      expect(entry.top_logprobs).toHaveLength(3);
      // Greedy: the chosen token is the most likely one.
      expect(entry.top_logprobs[0]!.logprob).toBeCloseTo(entry.logprob, 6);
    }
  });

  it("multi-turn messages with content parts, a system prompt and tool results are accepted", async () => {
    const completion = await server.admin.chat.completions.create({
      model: "moe",
      max_tokens: 4,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: [{ type: "text", text: "Weather " }, { type: "text", text: "in Paris?" }] },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
      ],
      seed: 7,
      top_k: 20,
      top_p: 0.9,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logit_bias: { "5": -100 },
    } as never);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(10);
  });

  it("GET /v1/models lists the registered models in OpenAI's format", async () => {
    const ids = [];
    for await (const model of server.admin.models.list()) {
      expect(model.object).toBe("model");
      expect(model.owned_by).toBe("aiplus");
      ids.push(model.id);
    }
    expect(ids.sort()).toEqual(["moe", "stories"]);
    const model = await server.admin.models.retrieve("stories");
    expect(model.id).toBe("stories");
  });
});
