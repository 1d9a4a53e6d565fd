import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { z } from "zod";
import { InvalidRequestError } from "../spec/index.js";
import { type AgentDefinition, agentDefinitionSchema } from "./agent-definition-schema.js";

/** The formats an agent file is written in. */
export type AgentFileFormat = "json" | "yaml";

/**
 * Validates an agent definition; the first problem is an InvalidRequestError whose `param` names the field
 * (`tools[0].parameters`) and, for a memory value over its limit, whose code is `memory_limit_exceeded`.
 */
export function parseAgentDefinition(value: unknown): AgentDefinition {
  const result = agentDefinitionSchema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw toDefinitionError(result.error.issues[0]);
}

/** Parses the text of an agent file: JSON, or YAML (JSON is YAML too, so `yaml` reads both). */
export function parseAgentFile(text: string, format: AgentFileFormat = "yaml"): AgentDefinition {
  let value: unknown;
  try {
    value = format === "json" ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const firstLine = (error as Error).message.split("\n")[0] ?? "";
    throw new InvalidRequestError({ message: `the agent file is not valid ${format === "json" ? "JSON" : "YAML or JSON"}: ${firstLine}`, code: "invalid_agent_file", cause: error });
  }
  return parseAgentDefinition(value);
}

/** An agent file's text: what `parseAgentFile` reads back to an equal definition. */
export function formatAgentFile(definition: AgentDefinition, format: AgentFileFormat): string {
  return format === "json" ? `${JSON.stringify(definition, null, 2)}\n` : stringifyYaml(definition, { lineWidth: 0 });
}

type Issue = z.core.$ZodIssue;

function toDefinitionError(issue: Issue | undefined): InvalidRequestError {
  if (!issue) return new InvalidRequestError({ message: "Invalid agent definition." });
  if (issue.code === "unrecognized_keys") {
    const field = formatPath([...issue.path, issue.keys[0] ?? ""]);
    return new InvalidRequestError({ message: `Unrecognized agent definition field: ${field}`, param: field, code: "unknown_parameter" });
  }
  const param = formatPath(issue.path);
  const code = issue.code === "custom" && typeof issue.params?.code === "string" ? issue.params.code : undefined;
  if (param === "") return new InvalidRequestError({ message: issue.code === "invalid_type" ? "an agent definition must be an object" : issue.message, code });
  const message = issue.code === "invalid_type" && issue.input === undefined ? `Missing required parameter: '${param}'.` : `Invalid '${param}': ${issue.message}`;
  return new InvalidRequestError({ message, param, code });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "");
}
