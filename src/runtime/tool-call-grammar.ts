import type { Llama, LlamaGrammar } from "node-llama-cpp";
import { InvalidRequestError, type ToolDefinition } from "../spec/index.js";
import { jsonSchemaGbnf, toolCallGbnf } from "../tools/index.js";

/**
 * A grammar that forces the output to be a call of one of `tools` (or of the one named tool):
 * a JSON object `{"name": ..., "arguments": ...}` whose arguments follow that tool's parameters
 * (optional parameters may be left out; see src/tools for the JSON Schema features the grammar enforces).
 */
export async function toolCallGrammar(llama: Llama, tools: readonly ToolDefinition[], forcedName?: string): Promise<LlamaGrammar> {
  const candidates = forcedName === undefined ? tools : tools.filter((tool) => tool.name === forcedName);
  if (candidates.length === 0) {
    throw new InvalidRequestError({ message: `tool_choice names an unknown tool "${forcedName}"`, param: "tool_choice" });
  }
  try {
    return await llama.createGrammar({ grammar: toolCallGbnf(candidates) });
  } catch (error) {
    throw new InvalidRequestError({ message: `tool parameters are not a supported JSON schema: ${(error as Error).message}`, param: "tools", cause: error });
  }
}

/** A grammar for JSON text that follows `schema` (response_format json_schema). */
export async function jsonSchemaGrammar(llama: Llama, schema: unknown): Promise<LlamaGrammar> {
  try {
    return await llama.createGrammar({ grammar: jsonSchemaGbnf(schema) });
  } catch (error) {
    throw new InvalidRequestError({ message: `response_format.json_schema is not supported: ${(error as Error).message}`, param: "response_format", cause: error });
  }
}
