import type { CallWarning, LanguageModelStreamPart } from "../../spec/index.js";
import { echoLogprobs } from "./echo-logprobs.js";
import { toWireFinishReason } from "./to-wire-finish-reason.js";
import { toCompletionLogprobs } from "./to-wire-logprobs.js";
import { toWireUsage } from "./to-wire-usage.js";
import type { TextCompletion, WireCompletionLogprobs } from "./wire-types.js";

export type AggregateTextOptions = {
  id: string;
  created: number;
  model: string;
  prompt: string;
  /** Whether logprobs were asked for (then `logprobs` is an object, possibly with empty arrays). */
  logprobs: boolean;
  onWarnings: (warnings: CallWarning[]) => void;
};

/** Reads a whole stream into one `text_completion` (the echoed prompt and its logprobs first). */
export async function aggregateTextCompletion(parts: ReadableStream<LanguageModelStreamPart>, options: AggregateTextOptions): Promise<TextCompletion> {
  let text = "";
  let generatedLength = 0;
  const logprobs: WireCompletionLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
  const append = (more: WireCompletionLogprobs) => {
    logprobs.tokens.push(...more.tokens);
    logprobs.token_logprobs.push(...more.token_logprobs);
    logprobs.top_logprobs.push(...more.top_logprobs);
    logprobs.text_offset.push(...more.text_offset);
  };
  let finish: Extract<LanguageModelStreamPart, { type: "finish" }> | undefined;
  const reader = parts.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const part = next.value;
    switch (part.type) {
      case "stream-start":
        if (part.warnings.length > 0) options.onWarnings(part.warnings);
        break;
      case "prompt-echo":
        text += part.text;
        if (part.logprobs) append(echoLogprobs(part.text, part.logprobs));
        break;
      case "text-delta":
        if (part.logprobs) append(toCompletionLogprobs(part.logprobs, [], options.prompt.length + generatedLength));
        text += part.delta;
        generatedLength += part.delta.length;
        break;
      case "finish":
        finish = part;
        break;
      case "error":
        throw part.error;
      case "tool-call":
      case "response-metadata":
      case "progress":
        break;
      default:
        part satisfies never;
    }
  }
  if (!finish) throw new Error("the model stream ended without a finish part");
  return {
    id: options.id,
    object: "text_completion",
    created: options.created,
    model: options.model,
    system_fingerprint: null,
    choices: [{ index: 0, text, logprobs: options.logprobs ? logprobs : null, finish_reason: toWireFinishReason(finish.finishReason) }],
    usage: toWireUsage(finish.usage),
  };
}

