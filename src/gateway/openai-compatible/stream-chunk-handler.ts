import { UpstreamError, type LanguageModelStreamPart } from "../../spec/index.js";
import { chatChunkSchema, completionChunkSchema, type ChatChunk, type CompletionChunk, type UpstreamUsage } from "./chunk-schemas.js";
import { convertChatLogprobs, convertCompletionLogprobs } from "./convert-logprobs.js";
import { convertUsage } from "./convert-usage.js";
import { EchoSplitter, textDeltaParts } from "./echo-splitter.js";
import { mapFinishReason } from "./map-finish-reason.js";
import { parseJson } from "./parse-json.js";
import { ToolCallAccumulator } from "./tool-call-accumulator.js";

export type StreamChunkHandlerOptions = {
  /** `chat` for `/chat/completions` chunks, `completion` for legacy `/completions` chunks. */
  kind: "chat" | "completion";
  providerName: string;
  /** The prompt, when `echo` was asked for on a completion (it is split off as a `prompt-echo` part). */
  echoPrompt?: string | undefined;
};

/**
 * Turns the `data` payloads of an upstream SSE stream into stream parts. Text streams out as it
 * arrives; tool calls are emitted complete at the end; the stream ends with exactly one `finish`
 * (after `[DONE]` or a finish reason) or one `error` (bad chunk, upstream error, cut stream).
 */
export class StreamChunkHandler {
  private finishReason: string | undefined;
  private usage: UpstreamUsage | undefined;
  private sawDone = false;
  private readonly toolCalls = new ToolCallAccumulator();
  private readonly echo: EchoSplitter | undefined;

  constructor(private readonly options: StreamChunkHandlerOptions) {
    this.echo = options.echoPrompt !== undefined ? new EchoSplitter(options.echoPrompt) : undefined;
  }

  /** Parts for one `data` payload; an `error` part means the stream must end there. */
  handle(data: string): LanguageModelStreamPart[] {
    if (data.trim() === "[DONE]") {
      this.sawDone = true;
      return [];
    }
    const json = parseJson(data);
    if (this.options.kind === "chat") {
      const parsed = chatChunkSchema.safeParse(json);
      if (!parsed.success) return [this.invalidChunk(data)];
      return this.withProgress(parsed.data, this.checkCommon(parsed.data, data) ?? this.handleChat(parsed.data));
    }
    const parsed = completionChunkSchema.safeParse(json);
    if (!parsed.success) return [this.invalidChunk(data)];
    return this.withProgress(parsed.data, this.checkCommon(parsed.data, data) ?? this.handleCompletion(parsed.data));
  }

  /**
   * A chunk's usage (cumulative so far) as a `progress` part after its content, before an error it ends with: the
   * gateway bills an attempt it abandons with it.
   */
  private withProgress(chunk: ChatChunk | CompletionChunk, parts: LanguageModelStreamPart[]): LanguageModelStreamPart[] {
    if (!chunk.usage) return parts;
    const progress: LanguageModelStreamPart = { type: "progress", usage: convertUsage(chunk.usage) };
    const errorAt = parts.findIndex((part) => part.type === "error");
    return errorAt < 0 ? [...parts, progress] : [...parts.slice(0, errorAt), progress, ...parts.slice(errorAt)];
  }

  /** Parts at the end of the upstream body: the final `finish`, or an `error` if the stream was cut. */
  end(): LanguageModelStreamPart[] {
    if (!this.sawDone && this.finishReason === undefined) {
      return [this.errorPart(`upstream ${this.options.providerName} closed the stream before it finished`, undefined)];
    }
    return [...(this.echo?.flush() ?? []), ...this.toolCalls.parts(), this.finishPart()];
  }

  /** Parts when reading the body failed (connection reset): an `error` part. */
  fail(error: unknown): LanguageModelStreamPart[] {
    const detail = error instanceof Error ? error.message : String(error);
    return [{ type: "error", error: new UpstreamError({ message: `upstream ${this.options.providerName} stream was cut: ${detail}`, cause: error, isRetryable: true }) }];
  }

  /** The `finish` part of a call the caller aborted: finish reason `cancelled`, usage as far as known. */
  cancelled(): LanguageModelStreamPart {
    return { type: "finish", finishReason: { unified: "cancelled", raw: "abort" }, usage: convertUsage(this.usage) };
  }

  /** Records usage; returns an `error` part when the chunk reports an upstream error. */
  private checkCommon(chunk: ChatChunk | CompletionChunk, data: string): LanguageModelStreamPart[] | undefined {
    if (chunk.usage) this.usage = chunk.usage;
    if (!chunk.error) return undefined;
    const message = typeof chunk.error === "string" ? chunk.error : (chunk.error.message ?? "unknown error");
    return [this.errorPart(`upstream ${this.options.providerName} failed mid-stream: ${message}`, data)];
  }

  private invalidChunk(data: string): LanguageModelStreamPart {
    return this.errorPart(`upstream ${this.options.providerName} sent an invalid stream chunk: ${data.slice(0, 200)}`, data);
  }

  private handleChat(chunk: ChatChunk): LanguageModelStreamPart[] {
    const parts: LanguageModelStreamPart[] = [];
    for (const choice of chunk.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue;
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
      if (choice.delta?.tool_calls) this.toolCalls.add(choice.delta.tool_calls);
      const text = choice.delta?.content;
      const logprobs = convertChatLogprobs(choice.logprobs);
      if (text) parts.push(logprobs ? { type: "text-delta", delta: text, logprobs } : { type: "text-delta", delta: text });
    }
    return parts;
  }

  private handleCompletion(chunk: CompletionChunk): LanguageModelStreamPart[] {
    const parts: LanguageModelStreamPart[] = [];
    for (const choice of chunk.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue;
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
      const text = choice.text ?? "";
      const tokens = convertCompletionLogprobs(choice.logprobs);
      if (this.echo) parts.push(...this.echo.push(text, tokens));
      else parts.push(...textDeltaParts(text, tokens));
    }
    return parts;
  }

  private finishPart(): LanguageModelStreamPart {
    const finishReason = mapFinishReason(this.finishReason);
    if (this.toolCalls.size > 0 && finishReason.unified === "stop") finishReason.unified = "tool-calls";
    return { type: "finish", finishReason, usage: convertUsage(this.usage) };
  }

  private errorPart(message: string, responseBody: string | undefined): LanguageModelStreamPart {
    return { type: "error", error: new UpstreamError({ message, responseBody, isRetryable: true }) };
  }
}
