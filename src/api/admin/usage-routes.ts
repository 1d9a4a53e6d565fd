import { Hono } from "hono";
import { z } from "zod";
import { nanosToDollars, type UsageReportRow } from "../../maas/index.js";
import type { UsageRecord } from "../../store/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { assertTimeZone } from "../console/zoned-time.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { timeBound } from "../usage/index.js";
import { unixSeconds } from "./admin-fields.js";

const groupings = ["key", "model", "day", "route", "endpoint", "status"] as const;
type Grouping = (typeof groupings)[number];
const isGrouping = (value: string): value is Grouping => (groupings as readonly string[]).includes(value);
/** Time bounds: unix seconds (5 to 12 digits), a date (`2026-11-01`: midnight in `tz`, default UTC) or an ISO date/time. */
const filterQuery = {
  since: z.string().optional(),
  until: z.string().optional(),
  key_id: z.string().optional(),
  model: z.string().optional(),
};
const aggregateQuery = z.object({
  ...filterQuery,
  /** IANA zone of `day` (midnight to midnight there) and of bare-date bounds. */
  tz: z.string().optional(),
  by: z
    .string()
    .optional()
    .transform((value, context): Grouping[] => {
      const parts = value ? value.split(",").map((part) => part.trim()).filter(Boolean) : [];
      if (parts.every(isGrouping)) return parts;
      context.addIssue({ code: "custom", message: `by must list key, model, day, route, endpoint or status; got ${value}` });
      return z.NEVER;
    }),
});
const recordsQuery = z.object({
  ...filterQuery,
  limit: z.coerce.number({ error: "limit must be an integer from 1 to 100000" }).int().min(1).max(100_000).optional(),
});

/** Epoch-ms bounds of a query, bare dates at midnight in `timeZone`. */
function bounds(query: { since?: string | undefined; until?: string | undefined }, timeZone: string) {
  return { since: timeBound(query.since, "since", timeZone), until: timeBound(query.until, "until", timeZone) };
}

/**
 * `/v1/admin/usage?by=key,model,day,status&since=&until=&tz=` totals (requests by status, tokens, cost charged to keys
 * and the provider cost of every request; `day` runs from midnight to midnight in `tz`, default UTC), and
 * `/v1/admin/usage/records` raw ledger records.
 */
export function usageRoutes({ maas }: RouteDependencies): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>()
    .get("/", async (c) => {
      const query = parseWithSchema(aggregateQuery, c.req.query());
      if (query.tz !== undefined) assertTimeZone(query.tz);
      const { since, until } = bounds(query, query.tz ?? "UTC");
      const rows = await maas.usage.aggregate({ by: query.by, since, until, keyId: query.key_id, model: query.model, timeZone: query.tz });
      return c.json({ object: "list", data: rows.map(toRowView) });
    })
    .get("/records", async (c) => {
      const query = parseWithSchema(recordsQuery, c.req.query());
      const { since, until } = bounds(query, "UTC");
      const records = await maas.usage.list({ since, until, keyId: query.key_id, model: query.model, limit: query.limit });
      return c.json({ object: "list", data: records.map(toRecordView) });
    });
}

/** One row of a usage report as `/v1/admin/usage` shows it. */
export function toRowView(row: UsageReportRow) {
  return {
    key_id: row.keyId ?? null,
    key_name: row.keyName ?? null,
    key_prefix: row.keyPrefix ?? null,
    model: row.model ?? null,
    day: row.day ?? null,
    route: row.route ?? null,
    endpoint: row.endpoint ?? null,
    ...(row.status !== undefined ? { status: row.status } : {}),
    requests: row.requests,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cost: row.costDollars,
    provider_cost: row.providerCostDollars,
    cancelled: row.cancelled,
    statuses: row.statuses,
  };
}

function toRecordView(record: UsageRecord) {
  return {
    id: record.id,
    key_id: record.keyId ?? null,
    model: record.model,
    route: record.route ?? null,
    endpoint: record.endpoint,
    status: record.status,
    cancelled: record.cancelled,
    input_tokens: record.inputTokens ?? null,
    output_tokens: record.outputTokens ?? null,
    cost: nanosToDollars(record.costNanos),
    provider_cost: nanosToDollars(record.providerCostNanos),
    failed_attempts: record.failedAttempts,
    failed_input_tokens: record.failedInputTokens ?? null,
    failed_output_tokens: record.failedOutputTokens ?? null,
    latency_ms: record.latencyMs ?? null,
    error: record.error ?? null,
    created_at: unixSeconds(record.createdAt),
    finished_at: unixSeconds(record.finishedAt),
  };
}
