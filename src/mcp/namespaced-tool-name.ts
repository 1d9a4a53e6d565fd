import { InvalidRequestError } from "../spec/index.js";

/** The separator of `label__tool`; labels never contain it. */
export const namespaceSeparator = "__";

/** `label__tool`: the name a model sees for `tool` of the MCP server `label` (no shadowing across servers). */
export function namespacedToolName(label: string, tool: string): string {
  return `${label}${namespaceSeparator}${tool}`;
}

/** Splits `label__tool` at the first separator; throws InvalidRequestError (param `name`) for a name without one. */
export function splitNamespacedToolName(name: string): { server: string; tool: string } {
  const index = name.indexOf(namespaceSeparator);
  if (index <= 0 || index + namespaceSeparator.length >= name.length) {
    throw new InvalidRequestError({ message: `MCP tool names are label__tool; got ${JSON.stringify(name)}`, param: "name" });
  }
  return { server: name.slice(0, index), tool: name.slice(index + namespaceSeparator.length) };
}
