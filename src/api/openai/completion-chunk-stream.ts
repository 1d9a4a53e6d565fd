import type { CallWarning, LanguageModelStreamPart } from "../../spec/index.js";
import { echoLogprobs } from "./echo-logprobs.js";
import { streamErrorEvent } from "./stream-error-event.js";
import { toWireFinishReason } from "./to-wire-finish-reason.js";
import { toCompletionLogprobs } from "./to-wire-logprobs.js";
import { toWireUsage } from "./to-wire-usage.js";
import type { StreamErrorEvent, TextCompletion } from "./wire-types.js";

export type CompletionChunkStreamOptions = {
  id: string;
  created: number;
  model: string;
  /** The prompt; generated tokens' `text_offset` continue after it (after the echo, or after the prompt itself). */
  prompt: string;
  includeUsage: boolean;
  onWarnings: (warnings: CallWarning[]) => void;
  onBug: (error: unknown) => void;
};

/** The one mapping from stream parts to legacy `text_completion` chunks (echo first, then text, finish, usage). */
export function completionChunkStream(options: CompletionChunkStreamOptions): TransformStream<LanguageModelStreamPart, TextCompletion | StreamErrorEvent> {
  return new TransformStream(completionChunkTransformer(options));
}

/** The transformer behind {@link completionChunkStream}, for composing with {@link serverSentEvents} without an extra stream stage. */
export function completionChunkTransformer(options: CompletionChunkStreamOptions): Transformer<LanguageModelStreamPart, TextCompletion | StreamErrorEvent> {
  let textOffset = options.prompt.length;
  const chunk = (choice: TextCompletion["choices"][number] | undefined, usage?: TextCompletion["usage"]): TextCompletion => ({
    id: options.id,
    object: "text_completion",
    created: options.created,
    model: options.model,
    system_fingerprint: null,
    choices: choice ? [choice] : [],
    ...(options.includeUsage ? { usage: usage ?? null } : {}),
  });
  return {
    transform(part, controller) {
      switch (part.type) {
        case "stream-start":
          if (part.warnings.length > 0) options.onWarnings(part.warnings);
          return;
        case "prompt-echo":
          controller.enqueue(
            chunk({ index: 0, text: part.text, logprobs: part.logprobs ? echoLogprobs(part.text, part.logprobs) : null, finish_reason: null }),
          );
          return;
        case "text-delta": {
          const logprobs = part.logprobs ? toCompletionLogprobs(part.logprobs, [], textOffset) : null;
          textOffset += part.delta.length;
          controller.enqueue(chunk({ index: 0, text: part.delta, logprobs, finish_reason: null }));
          return;
        }
        case "finish":
          controller.enqueue(chunk({ index: 0, text: "", logprobs: null, finish_reason: toWireFinishReason(part.finishReason) }));
          if (options.includeUsage) controller.enqueue(chunk(undefined, toWireUsage(part.usage)));
          return;
        case "error":
          controller.enqueue(streamErrorEvent(part.error, options.onBug));
          return;
        case "tool-call":
        case "response-metadata":
        case "progress":
          return;
        default:
          return part satisfies never;
      }
    },
  };
}
