import type { CallWarning, LanguageModelStreamPart } from "../../spec/index.js";
import { toWireFinishReason } from "./to-wire-finish-reason.js";
import { toChatLogprobs } from "./to-wire-logprobs.js";
import { toWireUsage } from "./to-wire-usage.js";
import type { ChatCompletion, WireTokenLogprob, WireToolCall } from "./wire-types.js";

export type AggregateOptions = {
  id: string;
  created: number;
  model: string;
  /** Whether logprobs were asked for (then `logprobs.content` is an array, possibly empty). */
  logprobs: boolean;
  onWarnings: (warnings: CallWarning[]) => void;
};

/** Reads a whole stream into one `chat.completion`; an error part is thrown (and answered by the error handler). */
export async function aggregateChatCompletion(parts: ReadableStream<LanguageModelStreamPart>, options: AggregateOptions): Promise<ChatCompletion> {
  let content = "";
  const toolCalls: WireToolCall[] = [];
  const logprobs: WireTokenLogprob[] = [];
  let finish: Extract<LanguageModelStreamPart, { type: "finish" }> | undefined;
  const reader = parts.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const part = next.value;
    switch (part.type) {
      case "stream-start":
        if (part.warnings.length > 0) options.onWarnings(part.warnings);
        break;
      case "text-delta":
        content += part.delta;
        if (part.logprobs) logprobs.push(...toChatLogprobs(part.logprobs));
        break;
      case "tool-call":
        toolCalls.push({ id: part.toolCallId, type: "function", function: { name: part.toolName, arguments: part.input } });
        break;
      case "finish":
        finish = part;
        break;
      case "error":
        throw part.error;
      case "response-metadata":
      case "prompt-echo":
      case "progress":
        break;
      default:
        part satisfies never;
    }
  }
  if (!finish) throw new Error("the model stream ended without a finish part");
  return {
    id: options.id,
    object: "chat.completion",
    created: options.created,
    model: options.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: toolCalls.length > 0 && content === "" ? null : content,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: options.logprobs ? { content: logprobs, refusal: null } : null,
        finish_reason: toWireFinishReason(finish.finishReason),
      },
    ],
    usage: toWireUsage(finish.usage),
  };
}
