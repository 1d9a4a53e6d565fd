/** The values a template reads: `inputs.x`, `steps.<id>.output…`, and in a map's item step `item…` and `index`. */
export type TemplateScope = { inputs: Record<string, unknown>; steps: Record<string, { output: unknown }>; item?: unknown; index?: number | undefined };

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const pathPattern = /^(inputs|steps|item|index)((?:\.[A-Za-z0-9_-]+|\[\d+\])*)$/;

/** A `{{…}}` path split in segments (`steps.a.output.x[0]` → `["steps","a","output","x",0]`); undefined when malformed. */
export function parsePath(path: string): Array<string | number> | undefined {
  const match = pathPattern.exec(path.trim());
  if (!match) return undefined;
  const segments: Array<string | number> = [match[1]!];
  for (const part of match[2]!.matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]/g)) segments.push(part[1] ?? Number(part[2]));
  return segments;
}

/** The paths in a template, in order (malformed ones too, for validation). */
export function templatePaths(template: string): string[] {
  return [...template.matchAll(placeholder)].map((match) => match[1]!);
}

/** Looks a path up in the scope; undefined when any segment is missing. A JSON text is parsed when a path goes into it. */
export function lookUp(scope: TemplateScope, segments: Array<string | number>): unknown {
  let value: unknown = scope;
  for (const segment of segments) {
    if (typeof value === "string" && (value.trimStart().startsWith("{") || value.trimStart().startsWith("["))) {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        return undefined;
      }
    }
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/**
 * Renders a template: a template that is exactly one `{{path}}` yields the value itself (a list, an object); otherwise
 * each placeholder becomes text (strings as they are, other values as JSON, missing values as "").
 */
export function renderTemplate(template: string, scope: TemplateScope): unknown {
  const whole = /^\s*\{\{\s*([^{}]*?)\s*\}\}\s*$/.exec(template);
  if (whole) return lookUp(scope, parsePath(whole[1]!) ?? []);
  return template.replace(placeholder, (_, path: string) => toText(lookUp(scope, parsePath(path) ?? [])));
}

/** Renders every string inside a JSON value (tool arguments). */
export function renderValue(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === "string") return renderTemplate(value, scope);
  if (Array.isArray(value)) return value.map((entry) => renderValue(entry, scope));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, renderValue(entry, scope)]));
  return value;
}

/** A value as prompt text. */
export function toText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
