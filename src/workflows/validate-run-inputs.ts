import { InvalidRequestError } from "../spec/index.js";
import type { WorkflowDefinition } from "./workflow-definition-schema.js";

/** A run's inputs checked against the workflow's `inputs` (types; missing ones take their default, else 400). */
export function validateRunInputs(definition: WorkflowDefinition, inputs: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of Object.keys(inputs)) {
    if (!(name in definition.inputs)) throw new InvalidRequestError({ message: `Unknown input '${name}'; the workflow takes: ${Object.keys(definition.inputs).join(", ") || "none"}.`, param: `inputs.${name}`, code: "unknown_parameter" });
  }
  for (const [name, declared] of Object.entries(definition.inputs)) {
    const value = inputs[name] ?? declared.default;
    if (value === undefined) throw new InvalidRequestError({ message: `Missing required input '${name}'.`, param: `inputs.${name}` });
    const ok = (() => {
      switch (declared.type) {
        case "string":
          return typeof value === "string";
        case "number":
          return typeof value === "number";
        case "integer":
          return Number.isInteger(value);
        case "boolean":
          return typeof value === "boolean";
        case "array":
          return Array.isArray(value);
        case "object":
          return value !== null && typeof value === "object" && !Array.isArray(value);
        default:
          return declared.type satisfies never;
      }
    })();
    if (!ok) throw new InvalidRequestError({ message: `Invalid input '${name}': expected ${declared.type}.`, param: `inputs.${name}` });
    result[name] = value;
  }
  return result;
}

/** A human answer checked against a human_input step's small JSON Schema (`type`, `required`, properties' `type`). */
export function validateHumanInput(schema: Record<string, unknown> | null, value: unknown): void {
  if (!schema) return;
  const typeOf = (entry: unknown) => (Array.isArray(entry) ? "array" : entry === null ? "null" : Number.isInteger(entry) ? "integer" : typeof entry);
  const matches = (type: unknown, entry: unknown) => type === undefined || type === typeOf(entry) || (type === "number" && typeOf(entry) === "integer");
  if (!matches(schema.type, value)) throw new InvalidRequestError({ message: `Invalid 'input': expected ${String(schema.type)}.`, param: "input" });
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  const record = value as Record<string, unknown>;
  for (const name of Array.isArray(schema.required) ? (schema.required as unknown[]) : []) {
    if (typeof name === "string" && !(name in record)) throw new InvalidRequestError({ message: `Missing required parameter: 'input.${name}'.`, param: `input.${name}` });
  }
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  for (const [name, property] of Object.entries(properties)) {
    if (name in record && !matches(property?.type, record[name])) throw new InvalidRequestError({ message: `Invalid 'input.${name}': expected ${String(property.type)}.`, param: `input.${name}` });
  }
}
