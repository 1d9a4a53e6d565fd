import type { ChatMessage, Prompt } from "../../spec/index.js";

/** Rewrites one text of a prompt; `location` names it (`messages[2].content`). */
export type TextRewrite = (text: string, location: string) => string;

/**
 * A prompt with every text the model reads rewritten: message contents, the arguments of earlier tool calls (each
 * string value of their JSON, so the JSON stays valid; the whole text when it is not JSON), a text prompt.
 */
export function rewritePrompt(prompt: Prompt, rewrite: TextRewrite): Prompt {
  if (prompt.type === "text") return { ...prompt, text: rewrite(prompt.text, "prompt") };
  return { type: "chat", messages: prompt.messages.map((message, index) => rewriteMessage(message, `messages[${index}]`, rewrite)) };
}

function rewriteMessage(message: ChatMessage, location: string, rewrite: TextRewrite): ChatMessage {
  const content = rewrite(message.content, `${location}.content`);
  if (message.role !== "assistant" || !message.toolCalls) return { ...message, content };
  return {
    ...message,
    content,
    toolCalls: message.toolCalls.map((call, index) => ({ ...call, arguments: rewriteJsonText(call.arguments, `${location}.tool_calls[${index}].arguments`, rewrite) })),
  };
}

/** Each string (keys excepted) of a JSON text rewritten; a text that is not JSON is rewritten whole. */
export function rewriteJsonText(text: string, location: string, rewrite: TextRewrite): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return rewrite(text, location);
  }
  let changed = false;
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === "string") {
      const rewritten = rewrite(node, path);
      if (rewritten !== node) changed = true;
      return rewritten;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, `${path}[${index}]`));
    if (typeof node === "object" && node !== null) return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, `${path}.${key}`)]));
    return node;
  };
  let rewritten: unknown;
  try {
    rewritten = walk(value, location);
  } catch (error) {
    // Nested deeper than the stack allows: the text as a whole is still rewritten.
    if (error instanceof RangeError) return rewrite(text, location);
    throw error;
  }
  return changed ? JSON.stringify(rewritten) : text;
}
