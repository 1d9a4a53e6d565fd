import { InvalidRequestError, type ChatMessage } from "../spec/index.js";
import type { FileSearchCallItem, ResponseItem } from "./types.js";

/**
 * A response's conversation as the chat messages a language model takes: `instructions` as the first system message,
 * then every item in order (developer messages are system messages; consecutive function calls join the assistant
 * message before them; each function call output is a tool message). An executed server tool call (`mcp_call`) is a
 * tool call of the assistant message before it plus its result (output, or the error: denied, failed, interrupted)
 * as a tool message, so no call is ever left without a result. Approval requests and responses are bookkeeping the
 * model does not see (the `mcp_call` that follows a decision carries it). As OpenAI does, a function call without its
 * output, or an output without its call, is a 400 on `input`.
 */
export function toChatMessages(instructions: string | null, items: ResponseItem[]): ChatMessage[] {
  assertCallsPaired(items);
  const messages: ChatMessage[] = instructions ? [{ role: "system", content: instructions }] : [];
  // Results of server tool calls, sent after the run of consecutive calls they answer.
  let results: ChatMessage[] = [];
  const flushResults = () => {
    messages.push(...results);
    results = [];
  };
  const addCall = (call: { id: string; name: string; arguments: string }) => {
    const last = messages[messages.length - 1];
    if (last?.role === "assistant") last.toolCalls = [...(last.toolCalls ?? []), call];
    else messages.push({ role: "assistant", content: "", toolCalls: [call] });
  };
  for (const item of items) {
    if (item.type !== "mcp_call" && item.type !== "function_call" && item.type !== "file_search_call") flushResults();
    switch (item.type) {
      case "message": {
        const content = item.content.map((part) => part.text).join("");
        messages.push({ role: item.role === "developer" ? "system" : item.role, content });
        break;
      }
      case "function_call":
        addCall({ id: item.call_id, name: item.name, arguments: item.arguments });
        break;
      case "function_call_output":
        messages.push({ role: "tool", content: item.output, toolCallId: item.call_id });
        break;
      case "mcp_call":
        addCall({ id: item.id, name: item.name, arguments: item.arguments });
        results.push({ role: "tool", content: item.error === null ? (item.output ?? "") : `Error: ${item.error}`, toolCallId: item.id });
        break;
      case "file_search_call":
        addCall({ id: item.id, name: "file_search", arguments: JSON.stringify({ queries: item.queries }) });
        results.push({ role: "tool", content: fileSearchResultText(item), toolCallId: item.id });
        break;
      case "mcp_approval_request":
      case "mcp_approval_response":
      case "mcp_list_tools":
      case "plan": // an agent's plan reaches the model through its instructions
        break;
      default:
        item satisfies never;
    }
  }
  flushResults();
  return messages;
}

/** A knowledge search's passages as the model reads them: numbered, each with its file name. */
function fileSearchResultText(item: FileSearchCallItem): string {
  if (item.status === "failed" || item.results === null) return "Error: the search failed";
  if (item.results.length === 0) return "No passages found.";
  return item.results.map((result, index) => `[${index + 1}] (${result.filename})\n${result.text}`).join("\n\n");
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
