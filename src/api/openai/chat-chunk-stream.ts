import type { CallWarning, LanguageModelStreamPart } from "../../spec/index.js";
import { streamErrorEvent } from "./stream-error-event.js";
import { toWireFinishReason } from "./to-wire-finish-reason.js";
import { toChatLogprobs } from "./to-wire-logprobs.js";
import { toWireUsage } from "./to-wire-usage.js";
import type { ChatCompletionChunk, StreamErrorEvent } from "./wire-types.js";

export type ChatChunkStreamOptions = {
  id: string;
  created: number;
  model: string;
  /** `stream_options.include_usage`: every chunk has `usage: null` and a last chunk with `choices: []` carries it. */
  includeUsage: boolean;
  onWarnings: (warnings: CallWarning[]) => void;
  /** Called with an unexpected (non-AiplusError) error before it is sent as a generic 500 event. */
  onBug: (error: unknown) => void;
};

/**
 * The one mapping from stream parts to OpenAI `chat.completion.chunk`s: a role chunk first, then content and
 * tool-call deltas, a finish chunk, and (with `includeUsage`) a usage chunk. An error part becomes one error event.
 */
export function chatChunkStream(options: ChatChunkStreamOptions): TransformStream<LanguageModelStreamPart, ChatCompletionChunk | StreamErrorEvent> {
  return new TransformStream(chatChunkTransformer(options));
}

/** The transformer behind {@link chatChunkStream}, for composing with {@link serverSentEvents} without an extra stream stage. */
export function chatChunkTransformer(options: ChatChunkStreamOptions): Transformer<LanguageModelStreamPart, ChatCompletionChunk | StreamErrorEvent> {
  const chunk = (choice: ChatCompletionChunk["choices"][number] | undefined, usage?: ChatCompletionChunk["usage"]): ChatCompletionChunk => ({
    id: options.id,
    object: "chat.completion.chunk",
    created: options.created,
    model: options.model,
    system_fingerprint: null,
    choices: choice ? [choice] : [],
    ...(options.includeUsage ? { usage: usage ?? null } : {}),
  });
  return {
    start(controller) {
      controller.enqueue(chunk({ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }));
    },
    transform(part, controller) {
      switch (part.type) {
        case "stream-start":
          if (part.warnings.length > 0) options.onWarnings(part.warnings);
          return;
        case "text-delta":
          controller.enqueue(
            chunk({
              index: 0,
              delta: { content: part.delta },
              logprobs: part.logprobs ? { content: toChatLogprobs(part.logprobs), refusal: null } : null,
              finish_reason: null,
            }),
          );
          return;
        case "tool-call":
          controller.enqueue(
            chunk({
              index: 0,
              delta: { tool_calls: [{ index: part.index, id: part.toolCallId, type: "function", function: { name: part.toolName, arguments: part.input } }] },
              logprobs: null,
              finish_reason: null,
            }),
          );
          return;
        case "finish":
          controller.enqueue(chunk({ index: 0, delta: {}, logprobs: null, finish_reason: toWireFinishReason(part.finishReason) }));
          if (options.includeUsage) controller.enqueue(chunk(undefined, toWireUsage(part.usage)));
          return;
        case "error":
          controller.enqueue(streamErrorEvent(part.error, options.onBug));
          return;
        case "response-metadata":
        case "prompt-echo":
        case "progress":
          return;
        default:
          return part satisfies never;
      }
    },
  };
}
