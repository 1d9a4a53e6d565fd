import { type NamedUsageRecord, nanosToDollars, type UsageReportRow } from "../../maas/index.js";
import type { UsageGrouping, UsageStatus } from "../../store/index.js";
import { unixSeconds } from "../admin/admin-fields.js";

/** Groupings of the self-service report (`route` names providers: admin-only, under /v1/admin/usage). */
export const usageGroupings = ["day", "model", "key", "endpoint", "status"] as const satisfies readonly UsageGrouping[];
export type UsageReportGrouping = (typeof usageGroupings)[number];

const statuses = ["ok", "error", "cancelled", "interrupted", "pending"] as const satisfies readonly UsageStatus[];

/** One row of a report: the grouped dimensions only, then the totals (cost charged to keys, in dollars). */
export function toReportRowView(row: UsageReportRow, by: readonly UsageReportGrouping[]) {
  const dimensions: Record<string, string | null> = {};
  for (const grouping of by) {
    switch (grouping) {
      case "day":
        dimensions.day = row.day ?? null;
        break;
      case "model":
        dimensions.model = row.model ?? null;
        break;
      case "key":
        dimensions.key_id = row.keyId ?? null;
        dimensions.key_name = row.keyName ?? null;
        dimensions.key_prefix = row.keyPrefix ?? null;
        break;
      case "endpoint":
        dimensions.endpoint = row.endpoint ?? null;
        break;
      case "status":
        dimensions.status = row.status ?? null;
        break;
      default:
        return grouping satisfies never;
    }
  }
  return {
    ...dimensions,
    requests: row.requests,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cost: row.costDollars,
    cancelled: row.cancelled,
    statuses: row.statuses,
  };
}

/** The sum of report rows (cost summed in nano-dollars, exactly). */
export function reportTotals(rows: readonly UsageReportRow[]) {
  const statusTotals = Object.fromEntries(statuses.map((status) => [status, rows.reduce((sum, row) => sum + row.statuses[status], 0)])) as Record<UsageStatus, number>;
  return {
    requests: rows.reduce((sum, row) => sum + row.requests, 0),
    input_tokens: rows.reduce((sum, row) => sum + row.inputTokens, 0),
    output_tokens: rows.reduce((sum, row) => sum + row.outputTokens, 0),
    cost: nanosToDollars(rows.reduce((sum, row) => sum + row.costNanos, 0)),
    cancelled: rows.reduce((sum, row) => sum + row.cancelled, 0),
    statuses: statusTotals,
  };
}

/** A request of the log: who, what, how it ended, tokens and cost charged; times in unix seconds. */
export function toLogRecordView(record: NamedUsageRecord) {
  return {
    id: record.id,
    object: "usage.record",
    key_id: record.keyId ?? null,
    key_name: record.keyName ?? null,
    key_prefix: record.keyPrefix ?? null,
    model: record.model,
    endpoint: record.endpoint,
    status: record.status,
    cancelled: record.cancelled,
    input_tokens: record.inputTokens ?? null,
    output_tokens: record.outputTokens ?? null,
    cost: nanosToDollars(record.costNanos),
    latency_ms: record.latencyMs ?? null,
    error: record.error ?? null,
    created_at: unixSeconds(record.createdAt),
    finished_at: unixSeconds(record.finishedAt),
  };
}
