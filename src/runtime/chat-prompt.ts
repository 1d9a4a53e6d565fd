import {
  LlamaText,
  SpecialTokensText,
  type ChatHistoryItem,
  type ChatModelFunctionCall,
  type ChatModelFunctions,
  type ChatWrapper,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import type { ChatMessage, ToolDefinition } from "../spec/index.js";

/** A rendered chat: the tokens to evaluate and the texts that end the assistant's turn. */
export type ChatPrompt = { tokens: Token[]; stopTexts: string[] };

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** OpenAI-style messages → node-llama-cpp chat history; tool results attach to the calls they answer. */
export function chatHistoryFor(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const results = new Map<string, string>();
  for (const message of messages) if (message.role === "tool") results.set(message.toolCallId, message.content);
  for (const message of messages) {
    switch (message.role) {
      case "system":
        history.push({ type: "system", text: message.content });
        break;
      case "user":
        history.push({ type: "user", text: message.content });
        break;
      case "assistant": {
        const calls: ChatModelFunctionCall[] = (message.toolCalls ?? []).map((call) => ({
          type: "functionCall",
          name: call.name,
          params: parseArguments(call.arguments),
          result: results.has(call.id) ? parseArguments(results.get(call.id)!) : undefined,
        }));
        history.push({ type: "model", response: [...(message.content ? [message.content] : []), ...calls] });
        break;
      }
      case "tool":
        break; // attached to the assistant's call above
      default:
        message satisfies never;
    }
  }
  history.push({ type: "model", response: [] });
  return history;
}

function functionsFor(tools: readonly ToolDefinition[] | undefined): ChatModelFunctions | undefined {
  if (!tools?.length) return undefined;
  return Object.fromEntries(
    tools.map((tool) => [tool.name, { description: tool.description, params: tool.parameters as never }]),
  );
}

/** Plain-text stop triggers (special-token triggers are end-of-generation tokens, handled separately). */
function triggerText(trigger: LlamaText): string | undefined {
  let text = "";
  for (const value of trigger.values) {
    if (typeof value === "string") text += value;
    else if (value instanceof SpecialTokensText) text += value.value;
    else return undefined;
  }
  return text || undefined;
}

/** The model's chat template (through its resolved chat wrapper) applied to `messages`: the text and the end-of-turn texts. */
export function buildChatContext(
  chatWrapper: ChatWrapper,
  messages: readonly ChatMessage[],
  tools?: readonly ToolDefinition[],
): { contextText: LlamaText; stopTexts: string[] } {
  const functions = functionsFor(tools);
  const state = chatWrapper.generateContextState({
    chatHistory: chatHistoryFor(messages),
    ...(functions ? { availableFunctions: functions } : {}),
  });
  const stopTexts = state.stopGenerationTriggers.map(triggerText).filter((text): text is string => text !== undefined);
  return { contextText: LlamaText(state.contextText), stopTexts };
}

/** Applies the model's chat template (through its resolved chat wrapper) to `messages`. */
export function buildChatPrompt(
  model: LlamaModel,
  chatWrapper: ChatWrapper,
  messages: readonly ChatMessage[],
  tools?: readonly ToolDefinition[],
): ChatPrompt {
  const { contextText, stopTexts } = buildChatContext(chatWrapper, messages, tools);
  return { tokens: contextText.tokenize(model.tokenizer), stopTexts };
}
