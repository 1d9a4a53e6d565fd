import type { ChatRequestBody, WireMessage } from "./types";

/** The parameter panel's values; an empty field is not sent at all. */
export type ParameterValues = {
  systemPrompt: string;
  temperature: number | "";
  topP: number | "";
  maxTokens: number | "";
  stop: string[];
  seed: number | "";
  /** A JSON Schema object: sent as `response_format: {type: "json_schema", json_schema: {name: "response", schema}}`. */
  jsonSchema: string;
  /** A JSON array of OpenAI function tools, sent as `tools`. */
  tools: string;
  /** Knowledge base names, sent as `knowledge_bases`. */
  knowledgeBases: string[];
};

export const emptyParameters: ParameterValues = {
  systemPrompt: "",
  temperature: "",
  topP: "",
  maxTokens: "",
  stop: [],
  seed: "",
  jsonSchema: "",
  tools: "",
  knowledgeBases: [],
};

/** A parameter the browser refused before sending, with the field it belongs to. */
export type ParameterProblem = { field: "tools" | "jsonSchema"; message: string };

/** The request fields the parameters set (never the empty ones), or what is wrong with them. */
export type ParameterFields = { ok: true; fields: Record<string, unknown> } | { ok: false; problems: ParameterProblem[] };

const functionName = /^[A-Za-z0-9_-]{1,64}$/;

function parseJson(text: string, label: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `${label} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Checks the tools the way the server will (function tools with a valid name and an object schema). */
export function toolsProblem(tools: unknown): string | undefined {
  if (!Array.isArray(tools)) return 'Tools must be a JSON array of tools, like [{"type": "function", "function": {"name": "get_weather"}}].';
  for (const [index, tool] of tools.entries()) {
    const label = `Tool ${index + 1}`;
    if (!isObject(tool)) return `${label} must be an object.`;
    if (tool.type !== "function") return `${label} needs "type": "function".`;
    if (!isObject(tool.function)) return `${label} needs a "function" object with a "name".`;
    const name = tool.function.name;
    if (typeof name !== "string" || !functionName.test(name)) return `${label} needs "function.name": 1-64 letters, digits, underscores or dashes.`;
    if (tool.function.parameters !== undefined && tool.function.parameters !== null && !isObject(tool.function.parameters)) {
      return `${label} ("${name}"): "function.parameters" must be a JSON Schema object.`;
    }
  }
  return undefined;
}

/**
 * The request fields for the set parameters, exactly as entered: numbers as numbers, the stop list as a list, the
 * schema and tools parsed from their JSON. Invalid tools or schema JSON is reported here and nothing is sent.
 */
export function parameterFields(values: ParameterValues): ParameterFields {
  const fields: Record<string, unknown> = {};
  const problems: ParameterProblem[] = [];
  if (values.temperature !== "") fields.temperature = values.temperature;
  if (values.topP !== "") fields.top_p = values.topP;
  if (values.maxTokens !== "") fields.max_tokens = values.maxTokens;
  if (values.stop.length > 0) fields.stop = values.stop;
  if (values.seed !== "") fields.seed = values.seed;
  if (values.jsonSchema.trim() !== "") {
    const parsed = parseJson(values.jsonSchema, "The JSON schema");
    if ("error" in parsed) problems.push({ field: "jsonSchema", message: parsed.error });
    else if (!isObject(parsed.value)) problems.push({ field: "jsonSchema", message: 'The JSON schema must be a JSON object, like {"type": "object", "properties": {…}}.' });
    else fields.response_format = { type: "json_schema", json_schema: { name: "response", schema: parsed.value } };
  }
  if (values.tools.trim() !== "") {
    const parsed = parseJson(values.tools, "Tools");
    const problem = "error" in parsed ? parsed.error : toolsProblem(parsed.value);
    if (problem !== undefined) problems.push({ field: "tools", message: problem });
    else if ("value" in parsed) fields.tools = parsed.value;
  }
  if (values.knowledgeBases.length > 0) fields.knowledge_bases = values.knowledgeBases;
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields };
}

/** The streaming chat request: model, the system prompt (when set) and conversation, usage reporting, then the parameters. */
export function chatRequestBody(model: string, systemPrompt: string, conversation: WireMessage[], fields: Record<string, unknown>): ChatRequestBody {
  const messages: WireMessage[] = systemPrompt.trim() === "" ? conversation : [{ role: "system", content: systemPrompt }, ...conversation];
  return { model, messages, stream: true, stream_options: { include_usage: true }, ...fields };
}
