type Schema = Record<string, unknown>;

function isPlainObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typesOf(schema: Schema): string[] {
  return Array.isArray(schema.type) ? schema.type.map(String) : typeof schema.type === "string" ? [schema.type] : [];
}

/**
 * The schema features one argument exercises, named as in the coverage report: the raw (BFCL dialect) schema of the
 * parameter and the concrete value written for it. Used to group grammar rejections by feature.
 */
export function argumentFeatures(rawSchema: unknown, value: unknown, features = new Set<string>()): Set<string> {
  if (!isPlainObject(rawSchema)) {
    features.add("undeclared parameter");
    return features;
  }
  const types = typesOf(rawSchema);
  for (const type of types) features.add(`type ${type}`);
  if (types.length === 0) features.add("no type");
  if (rawSchema.enum !== undefined) features.add("enum");
  if (rawSchema.default !== undefined) features.add("default");
  if (rawSchema.optional !== undefined) features.add("optional key");
  if (rawSchema.format !== undefined) features.add("format");
  if (rawSchema.minItems !== undefined || rawSchema.maxItems !== undefined) features.add("minItems/maxItems");
  if ((types.includes("float") || types.includes("number")) && typeof value === "number" && Number.isInteger(value)) features.add("integer literal for float");
  if (typeof value === "string") {
    if (/[^\x20-\x7e]/.test(value)) features.add("non-ASCII or control characters in string");
    if (/["\\]/.test(value)) features.add("quote or backslash in string");
  }
  if (value === null) features.add("null value");
  if (isPlainObject(value)) {
    const properties = isPlainObject(rawSchema.properties) ? rawSchema.properties : undefined;
    features.add(properties ? "nested dict" : "free-form dict");
    for (const [key, item] of Object.entries(value)) argumentFeatures(properties?.[key], item, features);
  }
  if (Array.isArray(value)) {
    const items = rawSchema.items;
    if (value.some(isPlainObject)) features.add("array of dict");
    else if (types.includes("tuple")) features.add("tuple");
    else features.add("array of scalars");
    if (isPlainObject(items)) for (const item of value) argumentFeatures(items, item, features);
  }
  return features;
}
