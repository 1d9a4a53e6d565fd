import {
  InternalError,
  InvalidRequestError,
  type ChatImage,
  type ChatMessage,
  type LanguageModelCallOptions,
  type ResponseFormat,
  type ToolChoice,
  type ToolDefinition,
} from "../../spec/index.js";
import type { ChatRequest, WireImagePart } from "./chat-request-schema.js";
import { imagePartParam, type ChatImages } from "./resolve-chat-images.js";
import { toSamplingOptions } from "./to-sampling-options.js";

/**
 * A validated chat request as call options (without the abort signal), plus what metering needs. `images` holds the
 * decoded image parts ({@link resolveChatImages}); a request with image parts needs them.
 */
export function toChatCallOptions(request: ChatRequest, images: ChatImages = new Map()): {
  options: Omit<LanguageModelCallOptions, "abortSignal">;
  maxTokens: number | undefined;
  maxTokensParam: string;
} {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  if (request.top_logprobs !== undefined && request.top_logprobs !== null && request.logprobs !== true) {
    throw new InvalidRequestError({ message: "top_logprobs requires logprobs to be true", param: "top_logprobs" });
  }
  const tools = toTools(request);
  return {
    options: {
      prompt: { type: "chat", messages: request.messages.map((message, index) => toChatMessage(message, index, images)) },
      sampling: toSamplingOptions(request, maxTokens),
      tools,
      toolChoice: toToolChoice(request, tools),
      responseFormat: toResponseFormat(request.response_format ?? undefined),
      logprobs: request.logprobs ? { topLogprobs: request.top_logprobs ?? 0 } : undefined,
      stream: request.stream === true,
    },
    maxTokens,
    maxTokensParam: request.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens",
  };
}

function toChatMessage(message: ChatRequest["messages"][number], messageIndex: number, images: ChatImages): ChatMessage {
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content: message.content };
    case "user": {
      if (message.content.images.length === 0) return { role: "user", content: message.content.text };
      return { role: "user", content: message.content.text, images: message.content.images.map((part) => toChatImage(part, messageIndex, images)) };
    }
    case "assistant":
      return {
        role: "assistant",
        content: message.content ?? "",
        toolCalls: message.tool_calls?.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })),
      };
    case "tool":
      return { role: "tool", content: message.content, toolCallId: message.tool_call_id };
    default:
      return message satisfies never;
  }
}

function toChatImage(part: WireImagePart, messageIndex: number, images: ChatImages): ChatImage {
  const param = imagePartParam(messageIndex, part.partIndex);
  const image = images.get(param);
  if (!image) throw new InternalError({ message: `the image of ${param} was not decoded before the call` });
  return { data: image.data, mediaType: image.mediaType, textOffset: part.textOffset, param };
}

function toTools(request: ChatRequest): ToolDefinition[] | undefined {
  if (!request.tools || request.tools.length === 0) return undefined;
  return request.tools.map(({ function: definition }) => ({
    name: definition.name,
    description: definition.description ?? undefined,
    parameters: definition.parameters ?? { type: "object", properties: {} },
  }));
}

function toToolChoice(request: ChatRequest, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  const choice = request.tool_choice;
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none") return { type: choice };
  if (!tools) throw new InvalidRequestError({ message: `tool_choice ${JSON.stringify(choice)} needs tools`, param: "tools" });
  if (choice === "required") return { type: "required" };
  const name = choice.function.name;
  if (!tools.some((tool) => tool.name === name)) {
    throw new InvalidRequestError({ message: `tool_choice names the function ${name}, which is not in tools`, param: "tool_choice" });
  }
  return { type: "tool", name };
}

function toResponseFormat(format: ChatRequest["response_format"]): ResponseFormat | undefined {
  if (!format) return undefined;
  switch (format.type) {
    case "text":
    case "json_object":
      return { type: format.type };
    case "json_schema":
      return {
        type: "json_schema",
        name: format.json_schema.name,
        schema: format.json_schema.schema ?? { type: "object" },
        strict: format.json_schema.strict ?? undefined,
      };
    default:
      return format satisfies never;
  }
}
