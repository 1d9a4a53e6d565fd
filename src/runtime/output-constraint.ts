import type { Llama, LlamaGrammar } from "node-llama-cpp";
import { InvalidRequestError, type LanguageModelCallOptions } from "../spec/index.js";
import { jsonSchemaGrammar, toolCallGrammar } from "./tool-call-grammar.js";

/** How a call's output is constrained: free text, grammar-constrained text, or one forced tool call. */
export type OutputConstraint =
  | { mode: "text"; grammar: LlamaGrammar | undefined }
  | { mode: "tool-call"; grammar: LlamaGrammar };

/**
 * Resolves `tools`/`toolChoice`/`responseFormat` to a grammar. `required` or a named tool forces a call;
 * `auto` and `none` generate text (the chat template still documents the tools under `auto`).
 */
export async function outputConstraintFor(llama: Llama, options: LanguageModelCallOptions): Promise<OutputConstraint> {
  const tools = options.tools ?? [];
  const choice = options.toolChoice ?? { type: "auto" };
  if (tools.length > 0 && (choice.type === "required" || choice.type === "tool")) {
    const grammar = await toolCallGrammar(llama, tools, choice.type === "tool" ? choice.name : undefined);
    return { mode: "tool-call", grammar };
  }
  if (choice.type === "required" || choice.type === "tool") {
    throw new InvalidRequestError({ message: "tool_choice requires tools", param: "tool_choice" });
  }
  const format = options.responseFormat ?? { type: "text" };
  switch (format.type) {
    case "text":
      return { mode: "text", grammar: undefined };
    case "json_object":
      return { mode: "text", grammar: await llama.getGrammarFor("json") };
    case "json_schema":
      return { mode: "text", grammar: await jsonSchemaGrammar(llama, format.schema) };
    default:
      return format satisfies never;
  }
}
