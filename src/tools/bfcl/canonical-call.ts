type Schema = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * How optional parameters whose alternatives include `""` ("may be omitted") are written: left out (the dataset
 * README's canonical call) or filled with their first other alternative.
 */
export type OptionalParameters = "omit" | "fill";

function propertySchemas(schema: unknown): Schema {
  return isPlainObject(schema) && isPlainObject(schema.properties) ? schema.properties : {};
}

function requiredNames(schema: unknown): Set<string> {
  return new Set(isPlainObject(schema) && Array.isArray(schema.required) ? (schema.required as string[]) : []);
}

/** The index of the alternative a canonical call uses for one parameter, or undefined when it leaves it out. */
export function chosenAlternative(alternatives: readonly unknown[], required: boolean, optional: OptionalParameters): number | undefined {
  const firstValue = alternatives.findIndex((alternative) => alternative !== "");
  if (required) return firstValue === -1 ? undefined : firstValue;
  if (alternatives.includes("") && optional === "omit") return undefined;
  return firstValue === -1 ? undefined : firstValue;
}

/**
 * One concrete value of a ground-truth value: an object's keys map to alternative lists again (a `dict` parameter,
 * or the items of an array of dicts), resolved by the same rules against the matching sub-schema.
 */
export function canonicalValue(schema: unknown, value: unknown, optional: OptionalParameters): unknown {
  if (isPlainObject(value)) {
    const alternatives = Object.fromEntries(Object.entries(value).map(([key, options]) => [key, Array.isArray(options) ? options : [options]]));
    return canonicalArguments(schema, alternatives, optional);
  }
  if (Array.isArray(value)) {
    const items = isPlainObject(schema) ? schema.items : undefined;
    const list: unknown[] = value;
    return list.map((item) => (isPlainObject(item) ? canonicalValue(items, item, optional) : item));
  }
  return value;
}

/**
 * The concrete arguments of a ground-truth call (the dataset README's rules): a required parameter takes its first
 * alternative that is not `""`; an optional one is left out when `""` is among its alternatives (or, with `fill`,
 * takes its first other alternative), else takes its first alternative; recursively inside dicts and arrays of dicts.
 * Keys come in the order the schema declares them (the order aiplus's grammar generates), undeclared ones last.
 */
export function canonicalArguments(schema: unknown, alternatives: Record<string, readonly unknown[]>, optional: OptionalParameters): Record<string, unknown> {
  const properties = propertySchemas(schema);
  const required = requiredNames(schema);
  const names = [...Object.keys(properties).filter((name) => Object.hasOwn(alternatives, name)), ...Object.keys(alternatives).filter((name) => !Object.hasOwn(properties, name))];
  const result: Record<string, unknown> = {};
  for (const name of names) {
    const options = alternatives[name]!;
    const index = chosenAlternative(options, required.has(name), optional);
    if (index === undefined) continue;
    result[name] = canonicalValue(properties[name], options[index], optional);
  }
  return result;
}

/** Every other alternative of every top-level parameter, one call each (the canonical call with that one value changed). */
export function alternativeArguments(
  schema: unknown,
  alternatives: Record<string, readonly unknown[]>,
): { parameter: string; alternative: unknown; arguments: Record<string, unknown> }[] {
  const properties = propertySchemas(schema);
  const required = requiredNames(schema);
  const canonical = canonicalArguments(schema, alternatives, "omit");
  const variants: { parameter: string; alternative: unknown; arguments: Record<string, unknown> }[] = [];
  for (const [name, options] of Object.entries(alternatives)) {
    const used = chosenAlternative(options, required.has(name), "omit");
    options.forEach((option, index) => {
      if (option === "" || index === used) return;
      const changed: Record<string, unknown> = {};
      const order = [...Object.keys(properties), ...Object.keys(alternatives)];
      for (const key of new Set(order)) {
        if (key === name) changed[key] = canonicalValue(properties[key], option, "omit");
        else if (Object.hasOwn(canonical, key)) changed[key] = canonical[key];
      }
      variants.push({ parameter: name, alternative: option, arguments: changed });
    });
  }
  return variants;
}

/** JSON with Python's `json.dumps` separators (`", "`, `": "`): what many models write. */
export function spacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spacedJson).join(", ")}]`;
  if (isPlainObject(value)) return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${spacedJson(item)}`).join(", ")}}`;
  return JSON.stringify(value);
}

/** Where a top-level argument's `"key": value` lies in a tool-call text. */
export type ArgumentSpan = { name: string; start: number; end: number };

/**
 * The text of one call in aiplus's tool-call wire format, `{"name": …, "arguments": {…}}`, compact (as
 * `JSON.stringify`) or spaced, with the span of each top-level argument (to tell which parameter a grammar rejected).
 */
export function toolCallText(name: string, callArguments: Record<string, unknown>, style: "compact" | "spaced"): { text: string; spans: ArgumentSpan[] } {
  const serialize = style === "compact" ? (value: unknown) => JSON.stringify(value) : spacedJson;
  const colon = style === "compact" ? ":" : ": ";
  const comma = style === "compact" ? "," : ", ";
  let text = `{"name"${colon}${JSON.stringify(name)}${comma}"arguments"${colon}{`;
  const spans: ArgumentSpan[] = [];
  Object.entries(callArguments).forEach(([key, value], index) => {
    if (index > 0) text += comma;
    const start = text.length;
    text += `${JSON.stringify(key)}${colon}${serialize(value)}`;
    spans.push({ name: key, start, end: text.length });
  });
  text += "}}";
  return { text, spans };
}
