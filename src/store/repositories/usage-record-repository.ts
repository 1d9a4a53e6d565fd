import { type SelectQueryBuilder, sql } from "kysely";
import { z } from "zod";
import type { ApiKeyId } from "../../spec/index.js";
import type { UsageRecord, UsageStatus } from "../records.js";
import type { DatabaseSchema, UsageRecordsTable } from "../schema.js";
import { affectedRows, type DatabaseExecutor } from "./database-executor.js";

/** A ledger row still open: who wrote it and what it holds reserved. */
export type PendingUsageRecord = UsageRecord & { instanceId: string; reservedNanos: number };

export type NewPendingUsage = {
  id: string;
  instanceId: string;
  keyId: string | undefined;
  model: string;
  route: string | undefined;
  endpoint: string;
  reservedNanos: number;
  /** UTC `YYYY-MM-DD` of `createdAt`. */
  day: string;
  createdAt: number;
};

/** The final state of a ledger row. */
export type UsageSettlement = {
  status: Exclude<UsageStatus, "pending">;
  cancelled: boolean;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** Charged to the key (0 when the client got an error response). */
  costNanos: number;
  /** What the tokens (and the failed attempts' tokens) cost at the price book, charged or not. Defaults to `costNanos`. */
  providerCostNanos?: number | undefined;
  /** Attempts the gateway abandoned and their tokens (see `UsageRecord`). Default to none. */
  failedAttempts?: number | undefined;
  failedInputTokens?: number | undefined;
  failedOutputTokens?: number | undefined;
  latencyMs: number | undefined;
  error: string | undefined;
  route?: string | undefined;
  finishedAt: number;
};

/** Dimensions a usage report can group by. */
export type UsageGrouping = "key" | "model" | "day" | "route" | "endpoint" | "status";

/** Final statuses a usage report counts. */
export const settledUsageStatuses = ["ok", "error", "cancelled", "interrupted"] as const satisfies readonly Exclude<UsageStatus, "pending">[];

export type UsageFilter = {
  /** Inclusive lower bound on `created_at` (epoch ms). */
  since?: number | undefined;
  /** Exclusive upper bound on `created_at` (epoch ms). */
  until?: number | undefined;
  keyId?: string | undefined;
  model?: string | undefined;
  status?: UsageStatus | undefined;
};

/**
 * From `from` (epoch ms, inclusive; undefined: from the beginning) a time zone is `offsetMs` ahead of UTC, until the
 * next segment's `from`. A report grouped by `day` with these segments counts days from local midnight to midnight.
 */
export type DayOffsetSegment = { from: number | undefined; offsetMs: number };

export type UsageAggregateRow = {
  keyId: string | undefined;
  model: string | undefined;
  day: string | undefined;
  route: string | undefined;
  endpoint: string | undefined;
  status: UsageStatus | undefined;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** Charged to keys. */
  costNanos: number;
  /** What the tokens cost at the price book, charged or not. */
  providerCostNanos: number;
  cancelled: number;
  /** Requests per status (`pending`: still open). */
  statuses: Record<UsageStatus, number>;
};

const groupingColumns = {
  key: "key_id",
  model: "model",
  day: "day",
  route: "route",
  endpoint: "endpoint",
  status: "status",
} as const satisfies Record<UsageGrouping, keyof UsageRecordsTable>;

// SUM over bigint is `numeric` on PostgreSQL and arrives as a string: coerce every aggregate.
const aggregateNumber = z.union([z.number(), z.string(), z.bigint(), z.null()]).transform((value) => (value === null ? 0 : Number(value)));
const statusSchema = z.enum(["pending", ...settledUsageStatuses]);

const dayMs = 86_400_000;

/** `WHERE` for a usage filter. */
function applyFilter<Output>(query: SelectQueryBuilder<DatabaseSchema, "usage_records", Output>, filter: UsageFilter): SelectQueryBuilder<DatabaseSchema, "usage_records", Output> {
  let filtered = query;
  if (filter.since !== undefined) filtered = filtered.where("created_at", ">=", filter.since);
  if (filter.until !== undefined) filtered = filtered.where("created_at", "<", filter.until);
  if (filter.keyId !== undefined) filtered = filtered.where("key_id", "=", filter.keyId);
  if (filter.model !== undefined) filtered = filtered.where("model", "=", filter.model);
  if (filter.status !== undefined) filtered = filtered.where("status", "=", filter.status);
  return filtered;
}

/**
 * The local day number (days since 1970-01-01 in the zone) of `created_at`: `(created_at + offset) / 86400000` in
 * integer arithmetic, the offset picked by a CASE over the segments. Numbers are inlined as literals so the same text
 * can appear in SELECT and GROUP BY on PostgreSQL.
 */
function localDayExpression(segments: readonly DayOffsetSegment[]) {
  const [first, ...rest] = segments;
  if (first === undefined) throw new Error("localDayExpression needs at least one segment");
  let offset = sql<number>`${sql.lit(first.offsetMs)}`;
  if (rest.length > 0) {
    const branches = segments.map((segment, index) => {
      const next = segments[index + 1];
      return next?.from === undefined ? sql`else ${sql.lit(segment.offsetMs)}` : sql`when created_at < ${sql.lit(next.from)} then ${sql.lit(segment.offsetMs)}`;
    });
    offset = sql<number>`case ${sql.join(branches, sql` `)} end`;
  }
  return sql<number>`((created_at + (${offset})) / ${sql.lit(dayMs)})`;
}

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
function dayText(dayNumber: number): string {
  return new Date(dayNumber * dayMs).toISOString().slice(0, 10);
}

/** The usage ledger: one row per API request. */
export type UsageRecordRepository = ReturnType<typeof createUsageRecordRepository>;

export function createUsageRecordRepository(database: DatabaseExecutor) {
  return {
    /** Opens a ledger row in status `pending`. */
    async insertPending(usage: NewPendingUsage): Promise<void> {
      await database.db
        .insertInto("usage_records")
        .values({
          id: usage.id,
          instance_id: usage.instanceId,
          key_id: usage.keyId ?? null,
          model: usage.model,
          route: usage.route ?? null,
          endpoint: usage.endpoint,
          status: "pending",
          cancelled: 0,
          input_tokens: null,
          output_tokens: null,
          cost_nanos: 0,
          provider_cost_nanos: 0,
          failed_attempts: 0,
          failed_input_tokens: null,
          failed_output_tokens: null,
          reserved_nanos: usage.reservedNanos,
          latency_ms: null,
          error: null,
          day: usage.day,
          created_at: usage.createdAt,
          updated_at: usage.createdAt,
          finished_at: null,
        })
        .execute();
    },

    /** Records progress of a pending row (one UPDATE; a settled row is left alone). */
    async checkpoint(id: string, progress: { inputTokens: number | undefined; outputTokens: number | undefined; route: string | undefined; at: number }): Promise<boolean> {
      const result = await database.db
        .updateTable("usage_records")
        .set({
          input_tokens: progress.inputTokens ?? null,
          output_tokens: progress.outputTokens ?? null,
          route: progress.route ?? null,
          updated_at: progress.at,
        })
        .where("id", "=", id)
        .where("status", "=", "pending")
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },

    /** Settles a row that is still pending; false (nothing written) when it was settled already. */
    async settle(id: string, settlement: UsageSettlement): Promise<boolean> {
      const changes: Partial<UsageRecordsTable> = {
        status: settlement.status,
        cancelled: settlement.cancelled ? 1 : 0,
        input_tokens: settlement.inputTokens ?? null,
        output_tokens: settlement.outputTokens ?? null,
        cost_nanos: settlement.costNanos,
        provider_cost_nanos: settlement.providerCostNanos ?? settlement.costNanos,
        failed_attempts: settlement.failedAttempts ?? 0,
        failed_input_tokens: settlement.failedInputTokens ?? null,
        failed_output_tokens: settlement.failedOutputTokens ?? null,
        reserved_nanos: 0,
        latency_ms: settlement.latencyMs ?? null,
        error: settlement.error ?? null,
        updated_at: settlement.finishedAt,
        finished_at: settlement.finishedAt,
      };
      if (settlement.route !== undefined) changes.route = settlement.route;
      const result = await database.db
        .updateTable("usage_records")
        .set(changes)
        .where("id", "=", id)
        .where("status", "=", "pending")
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },

    async get(id: string): Promise<UsageRecord | undefined> {
      const row = await database.db.selectFrom("usage_records").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toUsageRecord(row) : undefined;
    },

    /** Pending rows, optionally except those of one instance. */
    async listPending(options: { exceptInstanceId?: string } = {}): Promise<PendingUsageRecord[]> {
      let query = database.db.selectFrom("usage_records").selectAll().where("status", "=", "pending");
      if (options.exceptInstanceId !== undefined) query = query.where("instance_id", "<>", options.exceptInstanceId);
      const rows = await query.orderBy("created_at").orderBy("id").execute();
      return rows.map((row) => ({ ...toUsageRecord(row), instanceId: row.instance_id, reservedNanos: Number(row.reserved_nanos) }));
    },

    /** Raw records, newest first. */
    async list(filter: UsageFilter & { limit?: number | undefined } = {}): Promise<UsageRecord[]> {
      const rows = await applyFilter(database.db.selectFrom("usage_records").selectAll(), filter)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(filter.limit ?? 100)
        .execute();
      return rows.map(toUsageRecord);
    },

    /** One page of records, newest first, and how many records the filter matches. */
    async page(filter: UsageFilter, page: { limit: number; offset: number }): Promise<{ records: UsageRecord[]; total: number }> {
      const counted = await applyFilter(database.db.selectFrom("usage_records"), filter)
        .select((eb) => eb.fn.countAll().as("count"))
        .executeTakeFirst();
      const rows = await applyFilter(database.db.selectFrom("usage_records").selectAll(), filter)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      return { records: rows.map(toUsageRecord), total: aggregateNumber.parse(counted?.count ?? 0) };
    },

    /** Start times (epoch ms) of the first and the last record the filter matches; undefined when none does. */
    async timeRange(filter: UsageFilter): Promise<{ first: number; last: number } | undefined> {
      const row = await applyFilter(database.db.selectFrom("usage_records"), filter)
        .select((eb) => [eb.fn.min("created_at").as("first"), eb.fn.max("created_at").as("last")])
        .executeTakeFirst();
      if (row?.first === null || row?.first === undefined || row.last === null) return undefined;
      return { first: aggregateNumber.parse(row.first), last: aggregateNumber.parse(row.last) };
    },

    /**
     * Totals grouped by the given dimensions, ordered by them. `day` is the stored UTC day, or with `dayOffsets` the
     * local day of a time zone (see `DayOffsetSegment`).
     */
    async aggregate(by: readonly UsageGrouping[], filter: UsageFilter = {}, options: { dayOffsets?: readonly DayOffsetSegment[] | undefined } = {}): Promise<UsageAggregateRow[]> {
      const groupings = [...new Set(by)];
      const localDay = options.dayOffsets !== undefined && options.dayOffsets.length > 0 ? localDayExpression(options.dayOffsets) : undefined;
      let query = applyFilter(database.db.selectFrom("usage_records"), filter).select((eb) => [
        eb.fn.countAll().as("requests"),
        eb.fn.sum("input_tokens").as("input_tokens_sum"),
        eb.fn.sum("output_tokens").as("output_tokens_sum"),
        eb.fn.sum("cost_nanos").as("cost_nanos_sum"),
        eb.fn.sum("provider_cost_nanos").as("provider_cost_nanos_sum"),
        eb.fn.sum("cancelled").as("cancelled_sum"),
        ...statusSchema.options.map((status) =>
          eb.fn.sum<number>(eb.case().when("status", "=", status).then(eb.lit(1)).else(eb.lit(0)).end()).as(`status_${status}`),
        ),
      ]);
      for (const grouping of groupings) {
        if (grouping === "day" && localDay !== undefined) {
          query = query.select(localDay.as("local_day")).groupBy(localDay).orderBy(localDay);
        } else {
          const column = groupingColumns[grouping];
          query = query.select(column).groupBy(column).orderBy(column);
        }
      }
      const rows = (await query.execute()) as Array<Record<string, unknown>>;
      // Grouping columns hold text, or numbers (a day, a status code) that read back as text.
      const text = (value: unknown) => (value === null || value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value));
      return rows.map((row) => ({
        keyId: text(row.key_id),
        model: text(row.model),
        day: row.local_day === undefined ? text(row.day) : dayText(aggregateNumber.parse(row.local_day)),
        route: text(row.route),
        endpoint: text(row.endpoint),
        status: row.status === undefined ? undefined : statusSchema.parse(row.status),
        requests: aggregateNumber.parse(row.requests),
        inputTokens: aggregateNumber.parse(row.input_tokens_sum),
        outputTokens: aggregateNumber.parse(row.output_tokens_sum),
        costNanos: aggregateNumber.parse(row.cost_nanos_sum),
        providerCostNanos: aggregateNumber.parse(row.provider_cost_nanos_sum),
        cancelled: aggregateNumber.parse(row.cancelled_sum),
        statuses: Object.fromEntries(statusSchema.options.map((status) => [status, aggregateNumber.parse(row[`status_${status}`])])) as Record<UsageStatus, number>,
      }));
    },
  };
}

function toUsageRecord(row: UsageRecordsTable): UsageRecord {
  return {
    id: row.id,
    keyId: row.key_id === null ? undefined : (row.key_id as ApiKeyId),
    model: row.model,
    route: row.route ?? undefined,
    endpoint: row.endpoint,
    status: statusSchema.parse(row.status),
    cancelled: Number(row.cancelled) === 1,
    inputTokens: row.input_tokens === null ? undefined : Number(row.input_tokens),
    outputTokens: row.output_tokens === null ? undefined : Number(row.output_tokens),
    costNanos: Number(row.cost_nanos),
    providerCostNanos: Number(row.provider_cost_nanos),
    failedAttempts: Number(row.failed_attempts),
    failedInputTokens: row.failed_input_tokens === null ? undefined : Number(row.failed_input_tokens),
    failedOutputTokens: row.failed_output_tokens === null ? undefined : Number(row.failed_output_tokens),
    latencyMs: row.latency_ms === null ? undefined : Number(row.latency_ms),
    error: row.error ?? undefined,
    createdAt: Number(row.created_at),
    finishedAt: row.finished_at === null ? undefined : Number(row.finished_at),
  };
}
