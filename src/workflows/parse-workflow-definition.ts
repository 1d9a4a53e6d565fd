import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { z } from "zod";
import { InvalidRequestError } from "../spec/index.js";
import { buildWorkflowGraph } from "./workflow-graph.js";
import { type WorkflowDefinition, workflowDefinitionSchema } from "./workflow-definition-schema.js";

/** The formats a workflow file is written in. */
export type WorkflowFileFormat = "json" | "yaml";

/**
 * Validates a workflow definition and its graph; the first problem is an InvalidRequestError whose `param` names the
 * field (`steps[1].next` for a cycle or an unknown step, `steps[3].id` for a duplicate id).
 */
export function parseWorkflowDefinition(value: unknown): WorkflowDefinition {
  const result = workflowDefinitionSchema.safeParse(value, { reportInput: true });
  if (!result.success) throw toDefinitionError(result.error.issues[0]);
  buildWorkflowGraph(result.data);
  return result.data;
}

/** Parses the text of a workflow file: JSON, or YAML (`yaml` reads both). */
export function parseWorkflowFile(text: string, format: WorkflowFileFormat = "yaml"): WorkflowDefinition {
  let value: unknown;
  try {
    value = format === "json" ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const firstLine = (error as Error).message.split("\n")[0] ?? "";
    throw new InvalidRequestError({ message: `the workflow file is not valid ${format === "json" ? "JSON" : "YAML or JSON"}: ${firstLine}`, code: "invalid_workflow_file", cause: error });
  }
  return parseWorkflowDefinition(value);
}

/** A workflow file's text. */
export function formatWorkflowFile(definition: WorkflowDefinition, format: WorkflowFileFormat): string {
  return format === "json" ? `${JSON.stringify(definition, null, 2)}\n` : stringifyYaml(definition, { lineWidth: 0 });
}

type Issue = z.core.$ZodIssue;

function toDefinitionError(issue: Issue | undefined): InvalidRequestError {
  if (!issue) return new InvalidRequestError({ message: "Invalid workflow definition." });
  if (issue.code === "unrecognized_keys") {
    const field = formatPath([...issue.path, issue.keys[0] ?? ""]);
    return new InvalidRequestError({ message: `Unrecognized workflow definition field: ${field}`, param: field, code: "unknown_parameter" });
  }
  const param = formatPath(issue.path);
  if (param === "") return new InvalidRequestError({ message: issue.code === "invalid_type" ? "a workflow definition must be an object" : issue.message });
  const message = issue.code === "invalid_type" && issue.input === undefined ? `Missing required parameter: '${param}'.` : `Invalid '${param}': ${issue.message}`;
  return new InvalidRequestError({ message, param });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "");
}
