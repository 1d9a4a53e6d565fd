import type { ResponseParameters, ResponseTextFormat, ResponseTool } from "../../responses/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import type { ResponseRequest } from "./response-request-schema.js";

/** A validated request's parameters with OpenAI's defaults, as the response echoes and stores them. */
export function toResponseParameters(request: ResponseRequest): ResponseParameters {
  const tools = (request.tools ?? []).map((tool): ResponseTool => {
    switch (tool.type) {
      case "function":
        return { type: "function", name: tool.name, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? true };
      case "server_tool":
        return { type: "server_tool", name: tool.name, require_approval: tool.require_approval ?? "default" };
      default:
        return tool satisfies never;
    }
  });
  const toolChoice = request.tool_choice ?? "auto";
  if (toolChoice === "required" && tools.length === 0) {
    throw new InvalidRequestError({ message: 'tool_choice "required" needs tools', param: "tools" });
  }
  if (typeof toolChoice === "object" && !tools.some((tool) => tool.name === toolChoice.name)) {
    throw new InvalidRequestError({ message: `tool_choice names the function ${toolChoice.name}, which is not in tools`, param: "tool_choice" });
  }
  return {
    model: request.model,
    instructions: request.instructions ?? null,
    tools,
    tool_choice: toolChoice,
    text: { format: toTextFormat(request.text?.format ?? undefined) },
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: request.max_tool_calls ?? null,
    metadata: request.metadata ?? {},
    store: request.store ?? true,
    previous_response_id: request.previous_response_id ?? null,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    user: request.user ?? null,
  };
}

function toTextFormat(format: NonNullable<ResponseRequest["text"]>["format"]): ResponseTextFormat {
  if (!format) return { type: "text" };
  switch (format.type) {
    case "text":
    case "json_object":
      return { type: format.type };
    case "json_schema":
      return { type: "json_schema", name: format.name, schema: format.schema, strict: format.strict ?? null, ...(format.description ? { description: format.description } : {}) };
    default:
      return format satisfies never;
  }
}
