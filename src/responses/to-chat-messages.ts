import { InvalidRequestError, type ChatMessage } from "../spec/index.js";
import type { ResponseItem } from "./types.js";

/**
 * A response's conversation as the chat messages a language model takes: `instructions` as the first system message,
 * then every item in order (developer messages are system messages; consecutive function calls join the assistant
 * message before them; each function call output is a tool message). As OpenAI does, a function call without its
 * output, or an output without its call, is a 400 on `input`.
 */
export function toChatMessages(instructions: string | null, items: ResponseItem[]): ChatMessage[] {
  assertCallsPaired(items);
  const messages: ChatMessage[] = instructions ? [{ role: "system", content: instructions }] : [];
  for (const item of items) {
    switch (item.type) {
      case "message": {
        const content = item.content.map((part) => part.text).join("");
        messages.push({ role: item.role === "developer" ? "system" : item.role, content });
        break;
      }
      case "function_call": {
        const call = { id: item.call_id, name: item.name, arguments: item.arguments };
        const last = messages[messages.length - 1];
        if (last?.role === "assistant") last.toolCalls = [...(last.toolCalls ?? []), call];
        else messages.push({ role: "assistant", content: "", toolCalls: [call] });
        break;
      }
      case "function_call_output":
        messages.push({ role: "tool", content: item.output, toolCallId: item.call_id });
        break;
      default:
        item satisfies never;
    }
  }
  return messages;
}

function assertCallsPaired(items: ResponseItem[]): void {
  const calls = new Set<string>();
  const answered = new Set<string>();
  for (const item of items) {
    if (item.type === "function_call") calls.add(item.call_id);
    if (item.type !== "function_call_output") continue;
    if (!calls.has(item.call_id)) {
      throw new InvalidRequestError({ message: `No tool call found for function call output with call_id ${item.call_id}.`, param: "input" });
    }
    answered.add(item.call_id);
  }
  for (const callId of calls) {
    if (!answered.has(callId)) throw new InvalidRequestError({ message: `No tool output found for function call ${callId}.`, param: "input" });
  }
}
