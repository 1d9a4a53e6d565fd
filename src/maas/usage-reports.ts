import { z } from "zod";
import { InvalidRequestError } from "../spec/index.js";
import {
  createApiKeyRepository,
  createUsageRecordRepository,
  type Database,
  type DayOffsetSegment,
  type UsageGrouping,
  type UsageRecord,
  type UsageStatus,
} from "../store/index.js";
import { nanosToDollars } from "./money.js";
import { dayOffsetSegments } from "./time-zone.js";

/** A time bound: epoch ms, a `Date`, or an ISO date/time string (`2026-11-01` is UTC midnight). */
export type TimeBound = number | string | Date;

export type UsageQuery = {
  /** Inclusive lower bound on the request's start. */
  since?: TimeBound | undefined;
  /** Exclusive upper bound on the request's start. */
  until?: TimeBound | undefined;
  keyId?: string | undefined;
  model?: string | undefined;
  /** Only requests in this status. */
  status?: UsageStatus | undefined;
};

/** A raw record with the name and prefix of its key (when the key still exists). */
export type NamedUsageRecord = UsageRecord & { keyName: string | undefined; keyPrefix: string | undefined };

export type UsageReportRow = {
  keyId: string | undefined;
  /** Name and prefix of the key, when grouped by key and the key still exists. */
  keyName: string | undefined;
  keyPrefix: string | undefined;
  model: string | undefined;
  day: string | undefined;
  route: string | undefined;
  endpoint: string | undefined;
  /** The status, when grouped by status. */
  status: UsageStatus | undefined;
  requests: number;
  /** Tokens of every request, charged or not. */
  inputTokens: number;
  outputTokens: number;
  /** Charged to keys: a request that answered with an error is charged nothing. */
  costNanos: number;
  costDollars: number;
  /** What the tokens cost at the price book, charged or not (failed requests included). */
  providerCostNanos: number;
  providerCostDollars: number;
  /** Requests the client cancelled. */
  cancelled: number;
  /** Requests by status: `ok`, `error` (answered with an error), `cancelled` (by the client), `interrupted` (cut by a shutdown or a crash), `pending` (still running). */
  statuses: Record<UsageStatus, number>;
};

const groupingSchema = z.array(z.enum(["key", "model", "day", "route", "endpoint", "status"]));

/** Usage totals grouped by key, model, day (and route, endpoint), plus raw records. */
export type UsageReports = ReturnType<typeof createUsageReports>;

export function createUsageReports(options: { database: Database }) {
  const usage = createUsageRecordRepository(options.database);
  const keys = createApiKeyRepository(options.database);
  return {
    /**
     * Totals grouped by `by` (none: one grand total), ordered by the grouping columns. `day` is the UTC day, or the
     * local day (midnight to midnight) in `timeZone`, an IANA zone.
     */
    async aggregate(query: UsageQuery & { by: readonly UsageGrouping[]; timeZone?: string | undefined }): Promise<UsageReportRow[]> {
      const parsed = groupingSchema.safeParse(query.by);
      if (!parsed.success) throw new InvalidRequestError({ message: `by must list key, model, day, route, endpoint or status; got ${String(query.by)}`, param: "by" });
      const filter = toFilter(query);
      let dayOffsets: DayOffsetSegment[] | undefined;
      if (parsed.data.includes("day") && query.timeZone !== undefined) {
        const range = await usage.timeRange(filter);
        const segments = range === undefined ? [] : dayOffsetSegments(query.timeZone, range.first, range.last);
        // UTC all along: the stored (indexed) UTC day is the same.
        dayOffsets = segments.length === 1 && segments[0]?.offsetMs === 0 ? undefined : segments;
      }
      const rows = await usage.aggregate(parsed.data, filter, { dayOffsets });
      const keyRecords = new Map((parsed.data.includes("key") ? await keys.list() : []).map((key) => [key.id as string, key]));
      return rows.map((row) => {
        const key = row.keyId === undefined ? undefined : keyRecords.get(row.keyId);
        return {
          ...row,
          keyName: key?.name,
          keyPrefix: key?.prefix,
          costDollars: nanosToDollars(row.costNanos),
          providerCostDollars: nanosToDollars(row.providerCostNanos),
        };
      });
    },

    /** One page of raw records (newest first) with their keys' names, and how many records the query matches. */
    async page(query: UsageQuery & { limit: number; offset: number }): Promise<{ records: NamedUsageRecord[]; total: number }> {
      const { records, total } = await usage.page(toFilter(query), { limit: query.limit, offset: query.offset });
      const keyIds = records.flatMap((record) => (record.keyId === undefined ? [] : [record.keyId as string]));
      const named = new Map((await keys.getMany(keyIds)).map((key) => [key.id as string, key]));
      return {
        records: records.map((record) => {
          const key = record.keyId === undefined ? undefined : named.get(record.keyId);
          return { ...record, keyName: key?.name, keyPrefix: key?.prefix };
        }),
        total,
      };
    },

    /** Raw records, newest first (at most `limit`, default 100). */
    async list(query: UsageQuery & { limit?: number | undefined } = {}): Promise<UsageRecord[]> {
      const limit = query.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
        throw new InvalidRequestError({ message: `limit must be an integer from 1 to 100000, got ${limit}`, param: "limit" });
      }
      return usage.list({ ...toFilter(query), limit });
    },
  };
}

function toFilter(query: UsageQuery) {
  return { since: toTime(query.since, "since"), until: toTime(query.until, "until"), keyId: query.keyId, model: query.model, status: query.status };
}

function toTime(bound: TimeBound | undefined, param: string): number | undefined {
  if (bound === undefined) return undefined;
  const time = bound instanceof Date ? bound.getTime() : typeof bound === "number" ? bound : Date.parse(bound);
  if (!Number.isFinite(time)) throw new InvalidRequestError({ message: `${param} must be a date (YYYY-MM-DD or ISO time), got ${String(bound)}`, param });
  return time;
}
