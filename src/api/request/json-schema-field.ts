import { z } from "zod";

/**
 * Bounds of every JSON Schema the API accepts (`tools[i].function.parameters`,
 * `response_format.json_schema.schema`, and any later schema input). Grammar building and chat templates
 * walk a schema recursively, so an unbounded one could overflow the stack; these bounds are far above
 * what real tool or output schemas need.
 */
export const jsonSchemaLimits = {
  /** Deepest nesting of objects and arrays; the schema object itself is level 1. */
  maxDepth: 64,
  /** Largest serialized (JSON, UTF-8) size in bytes. */
  maxBytes: 65_536,
} as const;

/** Nesting depth of a JSON value (objects and arrays), measured without recursion; stops once past `limit`. */
export function jsonDepth(value: unknown, limit: number = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (current === null || typeof current !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    const children = Array.isArray(current) ? current : Object.values(current as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === "object") pending.push({ value: child, depth: depth + 1 });
  }
  return deepest;
}

/**
 * A JSON Schema object field bounded by `jsonSchemaLimits`; `name` is the field's own key (`parameters`),
 * so the 400 reads "parameters nests …" with `param` naming the full path (`tools[0].function.parameters`).
 */
export function jsonSchemaField(name: string) {
  return z.record(z.string(), z.unknown(), { error: `${name} must be a JSON Schema object` }).superRefine((schema, context) => {
    const depth = jsonDepth(schema, jsonSchemaLimits.maxDepth);
    if (depth > jsonSchemaLimits.maxDepth) {
      context.addIssue({ code: "custom", message: `${name} nests objects or arrays deeper than ${jsonSchemaLimits.maxDepth} levels (the limit of a JSON Schema)` });
      return;
    }
    const bytes = Buffer.byteLength(JSON.stringify(schema), "utf8");
    if (bytes > jsonSchemaLimits.maxBytes) {
      context.addIssue({ code: "custom", message: `${name} is ${bytes} bytes of JSON; a JSON Schema may be at most ${jsonSchemaLimits.maxBytes} bytes` });
    }
  });
}
