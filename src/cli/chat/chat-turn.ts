import type { ChatMessage, LanguageModel, Usage } from "../../spec/index.js";

export type ChatTurnOptions = {
  model: LanguageModel;
  messages: ChatMessage[];
  /** Maximum generated tokens. Defaults to the model's own limit. */
  maxTokens?: number | undefined;
  /** Receives each piece of generated text as it arrives. */
  onText: (text: string) => void;
  /** Receives the route that serves the call (`local` or a provider name). */
  onRoute?: ((route: string) => void) | undefined;
  /** Receives cumulative usage while streaming (for ledger checkpoints). */
  onProgress?: ((usage: Usage) => void) | undefined;
  signal?: AbortSignal | undefined;
};

export type ChatTurnResult = { text: string; usage: Usage; finishReason: string };

/** Streams one assistant reply. Throws the stream's error part; an abort ends the turn as `cancelled`. */
export async function runChatTurn(options: ChatTurnOptions): Promise<ChatTurnResult> {
  const { stream } = await options.model.doStream({
    prompt: { type: "chat", messages: options.messages },
    sampling: { maxTokens: options.maxTokens },
    abortSignal: options.signal,
  });
  const reader = stream.getReader();
  let text = "";
  let usage: Usage = { inputTokens: undefined, outputTokens: undefined };
  let finishReason = "other";
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const part = read.value;
      switch (part.type) {
        case "text-delta":
          text += part.delta;
          options.onText(part.delta);
          break;
        case "progress":
          usage = part.usage;
          options.onProgress?.(part.usage);
          break;
        case "finish":
          usage = part.usage;
          finishReason = part.finishReason.unified;
          break;
        case "error":
          throw part.error;
        case "response-metadata":
          options.onRoute?.(part.route);
          break;
        case "stream-start":
        case "prompt-echo":
        case "tool-call":
          break;
        default:
          part satisfies never;
      }
    }
  } finally {
    reader.releaseLock();
  }
  return { text, usage, finishReason };
}
