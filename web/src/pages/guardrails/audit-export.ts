import type { AuditEntry } from "./guardrails-api";

const columns = ["id", "kind", "created_at", "key_id", "actor", "endpoint", "model", "route", "policy", "rule", "action", "entity_type", "positions", "value_hmac", "target", "details"] as const;

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Audit entries as CSV (RFC 4180): one header row, objects as JSON text, times as unix seconds like the API. */
export function auditCsv(entries: AuditEntry[]): string {
  const rows = entries.map((entry) => columns.map((column) => cell(entry[column])).join(","));
  return `${[columns.join(","), ...rows].join("\r\n")}\r\n`;
}

/** Starts a browser download of `text` as `fileName`. */
export function download(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
