import type { ChatMessage } from "../../spec/index.js";

/** A part of a user message with images: text, or an image as a data URL. */
export type WireUserContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

/** A user message with images as OpenAI content parts: the text split at each image's place, images as data URLs. */
function userContentParts(message: Extract<ChatMessage, { role: "user" }>): WireUserContentPart[] {
  const parts: WireUserContentPart[] = [];
  let position = 0;
  for (const image of message.images ?? []) {
    const offset = Math.min(Math.max(image.textOffset, position), message.content.length);
    if (offset > position) parts.push({ type: "text", text: message.content.slice(position, offset) });
    parts.push({ type: "image_url", image_url: { url: `data:${image.mediaType};base64,${Buffer.from(image.data).toString("base64")}` } });
    position = offset;
  }
  if (position < message.content.length) parts.push({ type: "text", text: message.content.slice(position) });
  return parts;
}

/** A chat message in OpenAI's wire format. */
export type WireChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "user"; content: WireUserContentPart[] }
  | {
      role: "assistant";
      content: string | null;
      tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
    }
  | { role: "tool"; tool_call_id: string; content: string };

/** Maps normalised chat messages back to OpenAI's `messages`, tool calls, tool results and images included. */
export function convertChatMessages(messages: readonly ChatMessage[]): WireChatMessage[] {
  return messages.map((message): WireChatMessage => {
    switch (message.role) {
      case "system":
        return { role: message.role, content: message.content };
      case "user":
        return message.images?.length ? { role: "user", content: userContentParts(message) } : { role: "user", content: message.content };
      case "assistant": {
        const toolCalls = message.toolCalls ?? [];
        if (toolCalls.length === 0) return { role: "assistant", content: message.content };
        return {
          role: "assistant",
          content: message.content === "" ? null : message.content,
          tool_calls: toolCalls.map((call) => ({
            id: call.id,
            type: "function",
            function: { name: call.name, arguments: call.arguments },
          })),
        };
      }
      case "tool":
        return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
      default:
        return message satisfies never;
    }
  });
}
