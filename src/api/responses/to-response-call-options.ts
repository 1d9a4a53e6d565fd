import type { ResponseParameters } from "../../responses/index.js";
import type { ChatMessage, LanguageModelCallOptions, ResponseFormat, ToolChoice, ToolDefinition } from "../../spec/index.js";

/**
 * A response's parameters and conversation as the chat-call options every language model takes (the same machinery
 * as chat completions: `json_schema` is grammar-enforced on local models and passed on to upstreams). Server tools
 * are functions to the model; `serverTools` gives their definitions (from the registry), `maxTokens` a run's remaining
 * output tokens.
 */
export function toResponseCallOptions(
  parameters: ResponseParameters,
  messages: ChatMessage[],
  run: { serverTools: ToolDefinition[]; maxTokens: number | undefined } = { serverTools: [], maxTokens: parameters.max_output_tokens ?? undefined },
): Omit<LanguageModelCallOptions, "abortSignal"> {
  const functions = parameters.tools.flatMap((tool) =>
    tool.type === "function" ? [{ name: tool.name, description: tool.description ?? undefined, parameters: tool.parameters ?? { type: "object", properties: {} } }] : [],
  );
  const tools = [...functions, ...run.serverTools];
  return {
    prompt: { type: "chat", messages },
    sampling: { temperature: parameters.temperature ?? undefined, topP: parameters.top_p ?? undefined, maxTokens: run.maxTokens },
    tools: tools.length > 0 ? tools : undefined,
    toolChoice: tools.length > 0 ? toToolChoice(parameters.tool_choice) : undefined,
    responseFormat: toResponseFormat(parameters.text.format),
  };
}

function toToolChoice(choice: ResponseParameters["tool_choice"]): ToolChoice {
  return typeof choice === "string" ? { type: choice } : { type: "tool", name: choice.name };
}

function toResponseFormat(format: ResponseParameters["text"]["format"]): ResponseFormat | undefined {
  switch (format.type) {
    case "text":
      return undefined;
    case "json_object":
      return { type: "json_object" };
    case "json_schema":
      return { type: "json_schema", name: format.name, schema: format.schema, strict: format.strict ?? undefined };
    default:
      return format satisfies never;
  }
}
