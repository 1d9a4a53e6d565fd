import { LlamaText, SpecialToken, SpecialTokensText, type ChatWrapper, type LlamaModel } from "node-llama-cpp";
import { InvalidRequestError, type ChatMessage, type LanguageModelCallOptions, type ToolDefinition } from "../../spec/index.js";
import { buildChatContext } from "../chat-prompt.js";
import { workerMediaMarker } from "./llama-server-worker.js";

/** A chat prompt with images for a worker with a projector (llama-server `/completion` multimodal prompt). */
export type MultimodalPrompt = {
  /** llama-server's `prompt`: the rendered chat with {@link workerMediaMarker} where each image goes, and the images. */
  body: { prompt_string: string; multimodal_data: string[] };
  stopTexts: string[];
  /** The prompt's text tokens (BOS included) as llama.cpp's mtmd counts them: the rest of its prompt tokens are the images'. */
  textTokenCount: number;
};

/** A user message's text with the marker at each image's place (an offset past the text, after a rewrite, clamps to its end). */
function withMarkers(message: Extract<ChatMessage, { role: "user" }>): string {
  let text = "";
  let position = 0;
  for (const image of message.images ?? []) {
    const offset = Math.min(Math.max(image.textOffset, position), message.content.length);
    text += message.content.slice(position, offset) + workerMediaMarker;
    position = offset;
  }
  return text + message.content.slice(position);
}

/**
 * The chat template's text as llama-server tokenizes a multimodal prompt (special tokens parsed, BOS added by the
 * server): template tokens as their text, a leading BOS left out when the model adds one itself.
 */
function templateString(model: LlamaModel, contextText: LlamaText): string {
  let text = "";
  for (const value of contextText.values) {
    if (typeof value === "string") text += value;
    else if (value instanceof SpecialTokensText) text += value.value;
    else if (value instanceof SpecialToken) {
      if (text === "" && value.value === "BOS" && model.tokens.shouldPrependBosToken) continue;
      text += model.detokenize(LlamaText(value).tokenize(model.tokenizer), true);
    }
  }
  return text;
}

/**
 * Renders a chat with images for a worker with a projector: the model's chat template with the media marker at each
 * image's place, the images base64-encoded in the same order. Text that holds the marker itself is refused (400).
 */
export function multimodalPromptFor(loaded: { model: LlamaModel; chatWrapper: ChatWrapper }, options: LanguageModelCallOptions): MultimodalPrompt {
  if (options.prompt.type !== "chat") throw new InvalidRequestError({ message: "images need chat messages", param: "messages" });
  const images: string[] = [];
  const messages = options.prompt.messages.map((message, index): ChatMessage => {
    if (message.content.includes(workerMediaMarker)) {
      throw new InvalidRequestError({ message: `messages[${index}] holds the text ${workerMediaMarker}, which marks image places on this server`, param: `messages[${index}].content` });
    }
    if (message.role !== "user" || !message.images?.length) return message;
    for (const image of message.images) images.push(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).toString("base64"));
    return { role: "user", content: withMarkers(message) };
  });
  const tools: ToolDefinition[] | undefined = options.toolChoice?.type === "none" ? undefined : options.tools;
  const { contextText, stopTexts } = buildChatContext(loaded.chatWrapper, messages, tools);
  const promptString = templateString(loaded.model, contextText);
  const { model } = loaded;
  const bos = model.tokens.bos !== null && model.tokens.shouldPrependBosToken ? 1 : 0;
  const textTokenCount = bos + promptString.split(workerMediaMarker).reduce((sum, segment) => sum + (segment === "" ? 0 : model.tokenize(segment, true).length), 0);
  return { body: { prompt_string: promptString, multimodal_data: images }, stopTexts, textTokenCount };
}
