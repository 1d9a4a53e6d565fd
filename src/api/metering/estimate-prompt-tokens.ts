import type { LanguageModelCallOptions } from "../../spec/index.js";

/** Tokens reserved per image when the model cannot count them (OpenAI's high-detail images stay below it). */
const tokensPerImage = 1536;

/**
 * An upper bound of a prompt's tokens when the model cannot count them: its UTF-8 bytes (byte-level and
 * SentencePiece tokenizers never need more than one token per byte, plus a few template tokens per message), and
 * {@link tokensPerImage} per image.
 */
export function estimatePromptTokens(options: Pick<LanguageModelCallOptions, "prompt" | "tools">): number {
  const bytes = (text: string) => Buffer.byteLength(text, "utf8");
  const toolBytes = options.tools ? bytes(JSON.stringify(options.tools)) : 0;
  if (options.prompt.type === "text") return bytes(options.prompt.text) + 2 + toolBytes;
  const templateTokensPerMessage = 8;
  return options.prompt.messages.reduce((sum, message) => {
    const toolCalls = message.role === "assistant" && message.toolCalls ? bytes(JSON.stringify(message.toolCalls)) : 0;
    const images = message.role === "user" ? (message.images?.length ?? 0) * tokensPerImage : 0;
    return sum + bytes(message.content) + toolCalls + images + templateTokensPerMessage;
  }, toolBytes + 2);
}
