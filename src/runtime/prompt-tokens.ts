import type { Token } from "node-llama-cpp";
import type { LanguageModelCallOptions, ToolDefinition } from "../spec/index.js";
import { buildChatPrompt } from "./chat-prompt.js";
import type { LoadedLanguageModel } from "./loaded-model.js";

/** The tokens a call evaluates, with what the generation needs to know about them. */
export type PromptTokens = {
  tokens: Token[];
  /** Leading BOS tokens (context only). */
  bosCount: number;
  /** End-of-turn texts from the chat template. */
  stopTexts: string[];
};

/**
 * Chat prompts go through the model's chat template; text prompts are BOS (when the model adds one)
 * followed by the tokenized text.
 */
export function promptTokensFor(loaded: Pick<LoadedLanguageModel, "model" | "chatWrapper">, options: LanguageModelCallOptions): PromptTokens {
  const { model } = loaded;
  const prompt = options.prompt;
  switch (prompt.type) {
    case "chat": {
      const tools: ToolDefinition[] | undefined = options.toolChoice?.type === "none" ? undefined : options.tools;
      const chat = buildChatPrompt(model, loaded.chatWrapper, prompt.messages, tools);
      const bosCount = model.tokens.bos !== null && chat.tokens[0] === model.tokens.bos ? 1 : 0;
      return { tokens: chat.tokens, bosCount, stopTexts: chat.stopTexts };
    }
    case "text": {
      const bos = model.tokens.bos;
      const addBos = bos !== null && model.tokens.shouldPrependBosToken;
      const text = model.tokenize(prompt.text, false);
      return { tokens: addBos ? [bos, ...text] : text, bosCount: addBos ? 1 : 0, stopTexts: [] };
    }
    default:
      return prompt satisfies never;
  }
}
