import type { Llama, LlamaGrammar } from "node-llama-cpp";
import { InvalidRequestError, type ToolDefinition } from "../spec/index.js";

/** The JSON schema of one forced call: `{"name": <tool>, "arguments": <its parameters>}`. */
function callSchema(tool: ToolDefinition): Record<string, unknown> {
  return {
    type: "object",
    properties: { name: { const: tool.name }, arguments: tool.parameters },
    required: ["name", "arguments"],
  };
}

/**
 * A grammar that forces the output to be a call of one of `tools` (or of the one named tool):
 * a JSON object `{"name": ..., "arguments": ...}` whose arguments follow that tool's parameters.
 */
export async function toolCallGrammar(llama: Llama, tools: readonly ToolDefinition[], forcedName?: string): Promise<LlamaGrammar> {
  const candidates = forcedName === undefined ? tools : tools.filter((tool) => tool.name === forcedName);
  if (candidates.length === 0) {
    throw new InvalidRequestError({ message: `tool_choice names an unknown tool "${forcedName}"`, param: "tool_choice" });
  }
  const schema = candidates.length === 1 ? callSchema(candidates[0]!) : { oneOf: candidates.map(callSchema) };
  try {
    return await llama.createGrammarForJsonSchema(schema as never);
  } catch (error) {
    throw new InvalidRequestError({ message: `tool parameters are not a supported JSON schema: ${(error as Error).message}`, param: "tools", cause: error });
  }
}
