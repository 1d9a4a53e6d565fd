type Schema = Record<string, unknown>;

function isPlainObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** BFCL (Python-flavoured) type names and their JSON Schema types; `any` drops the type (any JSON value). */
const bfclTypes: Record<string, string | undefined> = {
  dict: "object",
  float: "number",
  tuple: "array",
  any: undefined,
  int: "integer",
  str: "string",
  bool: "boolean",
  list: "array",
};

function normalizeType(type: unknown): unknown {
  if (Array.isArray(type)) {
    const types = type.map(normalizeType);
    return types.includes(undefined) ? undefined : [...new Set(types)];
  }
  if (typeof type === "string" && Object.hasOwn(bfclTypes, type)) return bfclTypes[type];
  return type;
}

function mapValues(value: unknown, map: (schema: unknown) => unknown): unknown {
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, schema]) => [key, map(schema)]));
}

/**
 * A function's parameters in the Berkeley Function-Calling Leaderboard's schema dialect as JSON Schema: `dict` →
 * object, `float` → number (integer literals stay valid), `tuple` → array, `any` → no type constraint; the
 * non-standard `optional` key (whose values vary and mean nothing reliable) is dropped, and a `required` that is not a
 * list of names is dropped. Standard JSON Schema passes through unchanged, so this also normalizes mixed input.
 * Dataset loaders use it; the product takes JSON Schema only.
 */
export function normalizeToolSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalizeToolSchema);
  if (!isPlainObject(schema)) return schema;
  const normalized: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case "optional":
        break;
      case "type": {
        const type = normalizeType(value);
        if (type !== undefined) normalized.type = type;
        break;
      }
      case "required":
        if (Array.isArray(value) && value.every((name) => typeof name === "string")) normalized.required = value;
        break;
      case "properties":
      case "$defs":
      case "definitions":
      case "patternProperties":
        normalized[key] = mapValues(value, normalizeToolSchema);
        break;
      case "items":
      case "prefixItems":
      case "additionalItems":
      case "additionalProperties":
      case "anyOf":
      case "oneOf":
      case "allOf":
      case "not":
        normalized[key] = normalizeToolSchema(value);
        break;
      default:
        normalized[key] = value;
    }
  }
  return normalized;
}

/** OpenAI-style tool names allow no dots; BFCL maps `.` to `_` (its `underscore_to_dot`). */
export function openAiToolName(name: string): string {
  return name.replace(/\./g, "_");
}
