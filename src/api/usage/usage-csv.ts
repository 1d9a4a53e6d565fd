import type { UsageReportRow } from "../../maas/index.js";
import type { UsageReportGrouping } from "./usage-views.js";

const statusColumns = ["ok", "error", "cancelled", "interrupted", "pending"] as const;

/** Exact dollars of nano-dollars with 9 decimals (no floating-point rounding). */
export function nanosAsDollarText(nanos: number): string {
  const sign = nanos < 0 ? "-" : "";
  const magnitude = Math.abs(nanos);
  return `${sign}${Math.floor(magnitude / 1e9)}.${String(magnitude % 1e9).padStart(9, "0")}`;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; text a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@` first) gets a leading apostrophe.
 */
function field(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function dimensionColumns(by: readonly UsageReportGrouping[]): string[] {
  return by.flatMap((grouping) => {
    switch (grouping) {
      case "day":
        return ["day"];
      case "model":
        return ["model"];
      case "key":
        return ["key_id", "key_name", "key_prefix"];
      case "endpoint":
        return ["endpoint"];
      case "status":
        return ["status"];
      default:
        return grouping satisfies never;
    }
  });
}

function dimensionValues(row: UsageReportRow, by: readonly UsageReportGrouping[]): Array<string | undefined> {
  return by.flatMap((grouping) => {
    switch (grouping) {
      case "day":
        return [row.day];
      case "model":
        return [row.model];
      case "key":
        return [row.keyId, row.keyName, row.keyPrefix];
      case "endpoint":
        return [row.endpoint];
      case "status":
        return [row.status];
      default:
        return grouping satisfies never;
    }
  });
}

/**
 * A usage report as CSV: the grouped columns, then requests, tokens, cost charged (dollars, exact to the
 * nano-dollar) and requests per status; CRLF line ends, a header row, no totals row (the columns sum to them).
 */
export function usageCsv(rows: readonly UsageReportRow[], by: readonly UsageReportGrouping[]): string {
  const header = [...dimensionColumns(by), "requests", "input_tokens", "output_tokens", "cost", ...statusColumns.map((status) => `status_${status}`)];
  const lines = rows.map((row) =>
    [
      ...dimensionValues(row, by).map(field),
      field(row.requests),
      field(row.inputTokens),
      field(row.outputTokens),
      nanosAsDollarText(row.costNanos),
      ...statusColumns.map((status) => field(row.statuses[status])),
    ].join(","),
  );
  return `${[header.join(","), ...lines].join("\r\n")}\r\n`;
}
