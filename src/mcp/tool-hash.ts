import { createHash } from "node:crypto";

/** What identifies a tool's behaviour for approval: its name, description and input schema. */
export type HashedToolFields = { name: string; description?: string | undefined; inputSchema?: unknown };

/**
 * sha256 (hex) of a tool's name, description and canonical JSON input schema (object keys sorted at every depth): a
 * tool that changes any of them after approval hashes differently and needs re-approval.
 */
export function toolHash(tool: HashedToolFields): string {
  return createHash("sha256").update(canonicalJson([tool.name, tool.description ?? "", tool.inputSchema ?? null])).digest("hex");
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}
