import type { InputItem } from "./input-item-schema.js";
import type { ResponseIdGenerator } from "./response-ids.js";
import type { ContentPart, ResponseItem } from "./types.js";

/** A request's `input` (a string or parsed items) as stored items: each with an id and a status, content as parts. */
export function toResponseItems(input: string | InputItem[], newId: ResponseIdGenerator): ResponseItem[] {
  if (typeof input === "string") {
    return [{ id: newId("msg"), type: "message", role: "user", status: "completed", content: [{ type: "input_text", text: input }] }];
  }
  return input.map((item): ResponseItem => {
    switch (item.type) {
      case "message":
        return { id: item.id ?? newId("msg"), type: "message", role: item.role, status: item.status ?? "completed", content: toContent(item.role, item.content) };
      case "function_call":
        return { id: item.id ?? newId("fc"), type: "function_call", call_id: item.call_id, name: item.name, arguments: item.arguments, status: item.status ?? "completed" };
      case "function_call_output": {
        const output = typeof item.output === "string" ? item.output : item.output.map((part) => part.text).join("");
        return { id: item.id ?? newId("fco"), type: "function_call_output", call_id: item.call_id, output, status: item.status ?? "completed" };
      }
      case "mcp_approval_response":
        return { id: item.id ?? newId("apr"), type: "mcp_approval_response", approval_request_id: item.approval_request_id, approve: item.approve, reason: item.reason ?? null };
      default:
        return item satisfies never;
    }
  });
}

function toContent(role: string, content: Extract<InputItem, { type: "message" }>["content"]): ContentPart[] {
  if (typeof content === "string") {
    return [role === "assistant" ? { type: "output_text", text: content, annotations: [] } : { type: "input_text", text: content }];
  }
  return content.map((part): ContentPart => {
    switch (part.type) {
      case "input_text":
        return { type: "input_text", text: part.text };
      case "output_text":
        return { type: "output_text", text: part.text, annotations: part.annotations ?? [] };
      default:
        return part satisfies never;
    }
  });
}
