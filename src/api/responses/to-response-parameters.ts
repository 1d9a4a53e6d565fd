import type { AgentReference, ResponseParameters, ResponseTextFormat, ResponseTool } from "../../responses/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import type { ResponseRequest } from "./response-request-schema.js";

/** The agent a request names, resolved: its reference, its model and its tool-call limit. */
export type RequestAgent = { reference: AgentReference; model: string; maxToolCalls: number | undefined };

/**
 * A validated request's parameters with OpenAI's defaults, as the response echoes and stores them. With an agent,
 * `model` defaults to the agent's and `max_tool_calls` to its `limits.max_tool_calls`.
 */
export function toResponseParameters(request: ResponseRequest, agent?: RequestAgent | undefined): ResponseParameters {
  const model = request.model ?? agent?.model;
  if (model === undefined || model === null) throw new InvalidRequestError({ message: "model is required (or name an agent whose model runs the response)", param: "model" });
  const tools = (request.tools ?? []).map((tool): ResponseTool => {
    switch (tool.type) {
      case "function":
        return { type: "function", name: tool.name, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? true };
      case "server_tool":
        return { type: "server_tool", name: tool.name, require_approval: tool.require_approval ?? "default" };
      case "mcp":
        return {
          type: "mcp",
          server_label: tool.server_label,
          server_url: tool.server_url ?? null,
          allowed_tools: tool.allowed_tools ? (Array.isArray(tool.allowed_tools) ? tool.allowed_tools : tool.allowed_tools.tool_names) : null,
          require_approval: tool.require_approval ?? "always",
          headers: tool.headers ?? null,
        };
      case "file_search":
        return { type: "file_search", vector_store_ids: tool.vector_store_ids, max_num_results: tool.max_num_results ?? 10 };
      default:
        return tool satisfies never;
    }
  });
  const toolChoice = request.tool_choice ?? "auto";
  if (toolChoice === "required" && tools.length === 0) {
    throw new InvalidRequestError({ message: 'tool_choice "required" needs tools', param: "tools" });
  }
  // With an agent, its own tools (known once the run builds its turn) count too: a named `tool_choice` may force one of
  // them, and a name that neither the request nor the agent offers fails the run's model call.
  if (typeof toolChoice === "object" && !agent && !tools.some((tool) => "name" in tool && tool.name === toolChoice.name)) {
    throw new InvalidRequestError({ message: `tool_choice names the function ${toolChoice.name}, which is not in tools`, param: "tool_choice" });
  }
  return {
    model,
    instructions: request.instructions ?? null,
    tools,
    tool_choice: toolChoice,
    text: { format: toTextFormat(request.text?.format ?? undefined) },
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: request.max_tool_calls ?? agent?.maxToolCalls ?? null,
    metadata: request.metadata ?? {},
    store: request.store ?? true,
    previous_response_id: request.previous_response_id ?? null,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    user: request.user ?? null,
    ...(agent ? { agent: agent.reference } : {}),
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
