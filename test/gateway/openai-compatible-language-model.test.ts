import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAICompatibleLanguageModel } from "../../src/gateway/index.js";
import {
  ContextOverflowError,
  UpstreamError,
  UpstreamTimeoutError,
  type LanguageModelCallOptions,
  type LanguageModelStreamPart,
} from "../../src/spec/index.js";
import { collect } from "../runtime/runtime-fixtures.js";
import {
  chatDelta,
  chatFinish,
  FakeUpstream,
  respondJson,
  respondNever,
  respondSse,
  respondSseRaw,
  respondSseThenCut,
  respondSseThenHold,
  sseFrames,
  usageChunk,
} from "./fake-upstream.js";

let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await FakeUpstream.start();
});

afterAll(async () => {
  await upstream.stop();
});

function chatCall(overrides: Partial<LanguageModelCallOptions> = {}): LanguageModelCallOptions {
  return { prompt: { type: "chat", messages: [{ role: "user", content: "Hi" }] }, sampling: {}, ...overrides };
}

function model(overrides: Parameters<FakeUpstream["provider"]>[0] = {}) {
  return createOpenAICompatibleLanguageModel({ provider: upstream.provider(overrides), modelId: "remote-model" });
}

function partsOfType<TYPE extends LanguageModelStreamPart["type"]>(parts: LanguageModelStreamPart[], type: TYPE) {
  return parts.filter((part): part is Extract<LanguageModelStreamPart, { type: TYPE }> => part.type === type);
}

describe("openai-compatible language model: streaming", () => {
  it("streams text and normalises usage, sending the call in OpenAI's wire format", async () => {
    upstream.script(
      respondSse([
        chatDelta("Hel"),
        chatDelta("lo"),
        chatFinish("stop"),
        usageChunk({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9, prompt_tokens_details: { cached_tokens: 4 } }),
      ]),
    );
    const hitsBefore = upstream.hits.length;
    const { stream } = await model().doStream(
      chatCall({
        prompt: {
          type: "chat",
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Weather?" },
            { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' }] },
            { role: "tool", content: "sunny", toolCallId: "call_1" },
          ],
        },
        sampling: { temperature: 0.5, topP: 0.9, maxTokens: 20, stop: ["\n"], seed: 3, logitBias: { 42: -100 }, presencePenalty: 0.1 },
        tools: [{ name: "weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string" } } } }],
        toolChoice: { type: "tool", name: "weather" },
        responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true },
        logprobs: { topLogprobs: 2 },
      }),
    );
    const result = await collect(stream);
    expect(result.text).toBe("Hello");
    expect(result.parts[0]).toEqual({ type: "stream-start", warnings: [] });
    expect(result.parts[1]).toEqual({ type: "response-metadata", route: "fake", modelId: "remote-model" });
    expect(partsOfType(result.parts, "finish")).toHaveLength(1);
    expect(result.parts.at(-1)).toEqual({
      type: "finish",
      finishReason: { unified: "stop", raw: "stop" },
      usage: {
        inputTokens: 7,
        outputTokens: 2,
        cachedInputTokens: 4,
        raw: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9, prompt_tokens_details: { cached_tokens: 4 } },
      },
    });
    expect(upstream.hits.length).toBe(hitsBefore + 1);
    const hit = upstream.hits.at(-1)!;
    expect(hit.path).toBe("/v1/chat/completions");
    expect(hit.authorization).toBe("Bearer sk-upstream");
    expect(hit.body).toEqual({
      model: "remote-model",
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.5,
      top_p: 0.9,
      seed: 3,
      presence_penalty: 0.1,
      logit_bias: { "42": -100 },
      stop: ["\n"],
      max_tokens: 20,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
      ],
      tools: [
        {
          type: "function",
          function: { name: "weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string" } } } },
        },
      ],
      tool_choice: { type: "function", function: { name: "weather" } },
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } },
      logprobs: true,
      top_logprobs: 2,
    });
  });

  it("parses data lines split across TCP writes, comments and CRLF line ends", async () => {
    const frames = `: keep-alive\r\n\r\n${sseFrames([chatDelta("Grüße"), chatDelta(" aus Köln"), chatFinish("length")]).replaceAll("\n", "\r\n")}`;
    const bytes = Buffer.from(frames, "utf8");
    // Split into 7-byte pieces: lines, CRLF pairs and multi-byte characters all get cut.
    const pieces: string[] = [];
    for (let offset = 0; offset < bytes.length; offset += 7) pieces.push(bytes.subarray(offset, offset + 7).toString("latin1"));
    upstream.script(async (response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      for (const piece of pieces) {
        response.write(Buffer.from(piece, "latin1"));
        await new Promise((resolve) => setImmediate(resolve));
      }
      response.end();
    });
    const result = await collect((await model().doStream(chatCall())).stream);
    expect(result.text).toBe("Grüße aus Köln");
    expect(result.finish?.finishReason).toEqual({ unified: "length", raw: "length" });
  });

  it("reports usage as undefined, never 0, when the upstream sends none", async () => {
    upstream.script(respondSse([chatDelta("ok"), chatFinish("stop")]));
    const result = await collect((await model().doStream(chatCall())).stream);
    expect(result.finish?.usage).toEqual({ inputTokens: undefined, outputTokens: undefined });
  });

  it("keeps unknown counts undefined when the upstream sends partial usage", async () => {
    upstream.script(respondSse([chatDelta("ok"), chatFinish("content_filter"), usageChunk({ prompt_tokens: 3 })]));
    const result = await collect((await model().doStream(chatCall())).stream);
    expect(result.finish?.usage).toMatchObject({ inputTokens: 3, outputTokens: undefined, cachedInputTokens: undefined });
    expect(result.finish?.finishReason.unified).toBe("content-filter");
  });

  it("accumulates streamed tool-call deltas by index and emits complete calls before finish", async () => {
    const toolDelta = (toolCalls: unknown[]) => ({ choices: [{ index: 0, delta: { tool_calls: toolCalls }, finish_reason: null }] });
    upstream.script(
      respondSse([
        toolDelta([{ index: 0, id: "call_a", type: "function", function: { name: "weather", arguments: "" } }]),
        toolDelta([{ index: 0, function: { arguments: '{"ci' } }]),
        toolDelta([{ index: 1, id: "call_b", type: "function", function: { name: "time", arguments: '{"tz":' } }]),
        toolDelta([{ index: 0, function: { arguments: 'ty":"Oslo"}' } }]),
        toolDelta([{ index: 1, function: { arguments: '"UTC"}' } }]),
        chatFinish("tool_calls"),
        usageChunk({ prompt_tokens: 20, completion_tokens: 12 }),
      ]),
    );
    const result = await collect((await model().doStream(chatCall({ tools: [{ name: "weather", parameters: {} }], toolChoice: { type: "required" } }))).stream);
    expect(partsOfType(result.parts, "tool-call")).toEqual([
      { type: "tool-call", index: 0, toolCallId: "call_a", toolName: "weather", input: '{"city":"Oslo"}' },
      { type: "tool-call", index: 1, toolCallId: "call_b", toolName: "time", input: '{"tz":"UTC"}' },
    ]);
    expect(result.parts.at(-1)).toMatchObject({ type: "finish", finishReason: { unified: "tool-calls", raw: "tool_calls" } });
    expect(upstream.hits.at(-1)?.body.tool_choice).toBe("required");
  });

  it("maps chat logprobs onto text deltas", async () => {
    const logprobs = { content: [{ token: "Hi", logprob: -0.5, bytes: [72, 105], top_logprobs: [{ token: "Hi", logprob: -0.5, bytes: [72, 105] }, { token: "Yo", logprob: -1.5 }] }] };
    upstream.script(respondSse([chatDelta("Hi", { logprobs }), chatFinish("stop")]));
    const result = await collect((await model().doStream(chatCall({ logprobs: { topLogprobs: 2 } }))).stream);
    expect(partsOfType(result.parts, "text-delta")).toEqual([
      {
        type: "text-delta",
        delta: "Hi",
        logprobs: [{ token: "Hi", bytes: [72, 105], logprob: -0.5, topLogprobs: [{ token: "Hi", bytes: [72, 105], logprob: -0.5 }, { token: "Yo", bytes: [89, 111], logprob: -1.5 }] }],
      },
    ]);
  });

  it("sends text prompts to /completions and splits an echoed prompt with its logprobs", async () => {
    const completionChunk = (text: string, logprobs: unknown, finishReason: string | null = null) => ({
      object: "text_completion",
      choices: [{ index: 0, text, logprobs, finish_reason: finishReason }],
    });
    upstream.script(
      respondSse([
        completionChunk("Once upon", { tokens: ["Once", " upon"], token_logprobs: [null, -2.5], top_logprobs: [null, { " upon": -2.5 }] }),
        completionChunk(" a time", { tokens: [" a", " time"], token_logprobs: [-0.1, -0.2], top_logprobs: [{ " a": -0.1 }, { " time": -0.2 }] }, "length"),
        usageChunk({ prompt_tokens: 2, completion_tokens: 2 }),
      ]),
    );
    const { stream } = await model().doStream({
      prompt: { type: "text", text: "Once upon", echo: true },
      sampling: { maxTokens: 2 },
      logprobs: { topLogprobs: 1 },
      tools: [{ name: "ignored", parameters: {} }],
    });
    const result = await collect(stream);
    const hit = upstream.hits.at(-1)!;
    expect(hit.path).toBe("/v1/completions");
    expect(hit.body).toMatchObject({ prompt: "Once upon", echo: true, logprobs: 1, max_tokens: 2, stream: true });
    expect(hit.body).not.toHaveProperty("tools");
    expect(result.parts[0]).toEqual({ type: "stream-start", warnings: [{ type: "unsupported-setting", setting: "tools", details: "tools are ignored for text prompts" }] });
    expect(partsOfType(result.parts, "prompt-echo")).toEqual([
      {
        type: "prompt-echo",
        text: "Once upon",
        logprobs: [null, { token: " upon", bytes: [...Buffer.from(" upon")], logprob: -2.5, topLogprobs: [{ token: " upon", bytes: [...Buffer.from(" upon")], logprob: -2.5 }] }],
      },
    ]);
    expect(result.text).toBe(" a time");
    expect(partsOfType(result.parts, "text-delta")[0]?.logprobs?.map((entry) => entry.logprob)).toEqual([-0.1, -0.2]);
    expect(result.finish).toMatchObject({ finishReason: { unified: "length" }, usage: { inputTokens: 2, outputTokens: 2 } });
  });

  it("treats echo as plain completion text when the upstream ignores echo", async () => {
    upstream.script(respondSse([{ choices: [{ index: 0, text: " and then", finish_reason: "stop" }] }]));
    const result = await collect((await model().doStream({ prompt: { type: "text", text: "Once", echo: true }, sampling: {} })).stream);
    expect(partsOfType(result.parts, "prompt-echo")).toEqual([]);
    expect(result.text).toBe(" and then");
  });
});

describe("openai-compatible language model: failures", () => {
  it("rejects with a retryable UpstreamError on a 5xx before the first byte", async () => {
    upstream.script(respondJson(503, { error: { message: "overloaded, try later" } }));
    const error = await model().doStream(chatCall()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ upstreamStatus: 503, isRetryable: true });
    expect((error as UpstreamError).message).toContain("overloaded, try later");
    expect((error as UpstreamError).responseBody).toContain("overloaded");
  });

  it("rejects with a non-retryable UpstreamError on a 400, and ContextOverflowError for context_length_exceeded", async () => {
    upstream.script(
      respondJson(400, { error: { message: "temperature must be <= 2", type: "invalid_request_error" } }),
      respondJson(400, { error: { message: "maximum context length is 4096 tokens", code: "context_length_exceeded" } }),
    );
    const badRequest = await model().doStream(chatCall()).catch((caught: unknown) => caught);
    expect(badRequest).toBeInstanceOf(UpstreamError);
    expect(badRequest).toMatchObject({ upstreamStatus: 400, isRetryable: false });
    const overflow = await model().doStream(chatCall()).catch((caught: unknown) => caught);
    expect(overflow).toBeInstanceOf(ContextOverflowError);
    expect((overflow as ContextOverflowError).message).toContain("maximum context length");
  });

  it("rejects with a retryable UpstreamError when the upstream is unreachable", async () => {
    const closed = await FakeUpstream.start();
    const provider = closed.provider();
    await closed.stop();
    const error = await createOpenAICompatibleLanguageModel({ provider, modelId: "remote-model" })
      .doStream(chatCall())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ isRetryable: true, upstreamStatus: undefined });
    expect((error as Error).message).toContain("cannot reach upstream fake");
  });

  it("rejects with UpstreamTimeoutError when no headers arrive within timeoutMs, closing the connection", async () => {
    upstream.script(respondNever);
    const error = await model({ timeoutMs: 150 }).doStream(chatCall()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect((error as Error).message).toContain("150 ms");
    await upstream.closed.at(-1);
  });

  it("ends a stream cut mid-way with an error part after the partial text, and no finish", async () => {
    upstream.script(respondSseThenCut([chatDelta("partial "), chatDelta("answer")]));
    const result = await collect((await model().doStream(chatCall())).stream);
    expect(result.text).toBe("partial answer");
    expect(result.finish).toBeUndefined();
    const last = result.parts.at(-1);
    expect(last?.type).toBe("error");
    expect((last as { error: unknown }).error).toBeInstanceOf(UpstreamError);
    expect((last as { error: UpstreamError }).error.isRetryable).toBe(true);
  });

  it("ends with an error part when the upstream closes cleanly but never finished", async () => {
    upstream.script(respondSseRaw([sseFrames([chatDelta("half")], false)]));
    const result = await collect((await model().doStream(chatCall())).stream);
    expect(result.text).toBe("half");
    expect(result.parts.at(-1)?.type).toBe("error");
  });

  it("ends with an error part on an invalid chunk or an error chunk", async () => {
    upstream.script(
      respondSseRaw([`${sseFrames([chatDelta("a")], false)}data: {not json\n\n`]),
      respondSseRaw([sseFrames([chatDelta("b"), { error: { message: "model crashed" } }])]),
    );
    const invalid = await collect((await model().doStream(chatCall())).stream);
    expect(invalid.parts.at(-1)?.type).toBe("error");
    expect(String((invalid.parts.at(-1) as { error: Error }).error.message)).toContain("invalid stream chunk");
    const crashed = await collect((await model().doStream(chatCall())).stream);
    expect(crashed.text).toBe("b");
    expect(String((crashed.parts.at(-1) as { error: Error }).error.message)).toContain("model crashed");
    expect(crashed.finish).toBeUndefined();
  });

  it("aborting mid-stream closes the upstream connection and finishes as cancelled", async () => {
    upstream.script(respondSseThenHold([chatDelta("first")]));
    const controller = new AbortController();
    const { stream } = await model().doStream(chatCall({ abortSignal: controller.signal }));
    const connectionClosed = upstream.closed.at(-1)!;
    const reader = stream.getReader();
    const parts: LanguageModelStreamPart[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      parts.push(next.value);
      if (next.value.type === "text-delta") controller.abort();
    }
    await connectionClosed;
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: { unified: "cancelled", raw: "abort" }, usage: { inputTokens: undefined, outputTokens: undefined } });
  });

  it("rejects with the abort reason when aborted before the headers, and the upstream sees the close", async () => {
    upstream.script(respondNever);
    const controller = new AbortController();
    const hitsBefore = upstream.hits.length;
    const pending = model().doStream(chatCall({ abortSignal: controller.signal }));
    await upstream.waitForHits(hitsBefore + 1);
    const connectionClosed = upstream.closed.at(-1)!;
    controller.abort(new Error("client went away"));
    await expect(pending).rejects.toThrow("client went away");
    await connectionClosed;
  });

  it("cancelling the part stream closes the upstream connection", async () => {
    upstream.script(respondSseThenHold([chatDelta("first")]));
    const { stream } = await model().doStream(chatCall());
    const connectionClosed = upstream.closed.at(-1)!;
    const reader = stream.getReader();
    for (let next = await reader.read(); next.value?.type !== "text-delta"; next = await reader.read());
    await reader.cancel();
    await connectionClosed;
    expect(upstream.hits.at(-1)?.path).toBe("/v1/chat/completions");
  });
});
