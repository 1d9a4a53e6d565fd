import { DocumentBuilder } from "./document-builder.js";
import { DocumentParseError } from "./document-parse-error.js";
import type { ParsedDocument } from "./types.js";

/**
 * JSON: leaves flattened to `path: value` lines. A top-level array gives one block per element, a top-level
 * object one block per key.
 */
export function parseJson(text: string, options: { documentName?: string | undefined } = {}): ParsedDocument {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\ufeff/, ""));
  } catch (error) {
    throw new DocumentParseError({ message: `invalid JSON: ${(error as Error).message}`, failure: "corrupt", documentName: options.documentName, cause: error });
  }
  const builder = new DocumentBuilder("json");
  if (Array.isArray(value)) value.forEach((element, index) => builder.add("paragraph", flatten(element, `[${index}]`).join("\n")));
  else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) builder.add("paragraph", flatten(child, key).join("\n"));
  } else builder.add("paragraph", String(value));
  return builder.build();
}

function flatten(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((element, index) => flatten(element, `${path}[${index}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, child]) => flatten(child, path ? `${path}.${key}` : key));
  }
  return [`${path}: ${typeof value === "string" ? value : String(JSON.stringify(value))}`];
}
