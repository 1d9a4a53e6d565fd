import { InvalidRequestError } from "../../spec/index.js";

/** Value at a path like `a.b[0].c` inside a document, or `undefined`. */
export function valueAtPath(document: unknown, path: string): unknown {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let current: unknown = document;
  for (const part of parts) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (typeof current === "object") current = (current as Record<string, unknown>)[part];
    else return undefined;
  }
  return current;
}

/**
 * Replaces `{{ path }}` placeholders with the document's values (strings as is, other values as JSON).
 * A missing field is an error naming it, never an empty string.
 */
export function renderTemplate(template: string, document: unknown): string {
  return template.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_, path: string) => {
    const value = valueAtPath(document, path);
    if (value === undefined) throw new InvalidRequestError({ message: `template field ${JSON.stringify(path)} is missing in a dataset record`, code: "invalid_dataset" });
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}
