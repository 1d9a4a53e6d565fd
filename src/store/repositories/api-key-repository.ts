import { sql } from "kysely";
import { z } from "zod";
import type { ApiKeyId } from "../../spec/index.js";
import type { ApiKeyRecord, BudgetPeriod } from "../records.js";
import type { ApiKeysTable } from "../schema.js";
import { affectedRows, type DatabaseExecutor } from "./database-executor.js";

/** Everything stored about a new key except its running totals. */
export type NewApiKey = {
  id: string;
  name: string;
  prefix: string;
  /** HMAC-SHA256 hex of the whole key. */
  hash: string;
  isAdmin: boolean;
  /** Granted code execution (sandboxed code-running eval tasks). Defaults to false. */
  allowCodeExecution?: boolean | undefined;
  models: string[] | undefined;
  rpm: number | undefined;
  tpm: number | undefined;
  /** Cap on concurrent requests. Defaults to none. */
  maxConcurrentRequests?: number | undefined;
  budgetNanos: number | undefined;
  budgetPeriod: BudgetPeriod;
  periodStart: number;
  expiresAt: number | undefined;
  createdAt: number;
  /** The key's guardrail policy by name. Defaults to none (the default policy alone). */
  policy?: string | undefined;
};

/** Fields a limits update may change; `null` clears a limit, `undefined` leaves it. */
export type ApiKeyLimitsPatch = {
  name?: string | undefined;
  models?: string[] | null | undefined;
  rpm?: number | null | undefined;
  tpm?: number | null | undefined;
  maxConcurrentRequests?: number | null | undefined;
  budgetNanos?: number | null | undefined;
  budgetPeriod?: BudgetPeriod | undefined;
  /** Start of the (possibly new) budget period; set together with `budgetPeriod`. */
  periodStart?: number | undefined;
  expiresAt?: number | null | undefined;
  isAdmin?: boolean | undefined;
  allowCodeExecution?: boolean | undefined;
  /** The key's guardrail policy by name; `null` removes it. */
  policy?: string | null | undefined;
};

/** Which keys a listing shows: `active` (usable now), `revoked`, or `expired` (and not revoked). */
export type ApiKeyState = "active" | "revoked" | "expired";
export type ApiKeySort = "name" | "created" | "spend";

/** A page of keys: filtered, sorted and cut in SQL. */
export type ApiKeyListQuery = {
  /** Case-insensitive substring of the name or the visible prefix. */
  search?: string | undefined;
  state?: ApiKeyState | undefined;
  admin?: boolean | undefined;
  sort: ApiKeySort;
  order: "asc" | "desc";
  limit: number;
  offset: number;
  /** The time `expired` and `active` are judged at. */
  now: number;
  /** Starts of the current day/week/month budget periods: a key whose stored period began earlier has spent nothing yet. */
  periodStarts: Record<Exclude<BudgetPeriod, "total">, number>;
};

const modelListSchema = z.array(z.string()).nullable();
const countSchema = z.union([z.number(), z.string(), z.bigint()]).transform(Number);

/** A lower-case LIKE pattern matching `text` anywhere; `%`, `_` and `\` in it match literally (with `escape '\'`). */
function likeSubstring(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

const budgetPeriodSchema = z.enum(["day", "week", "month", "total"]);

/** API keys (stored hashed) and their budget counters. */
export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;

export function createApiKeyRepository(database: DatabaseExecutor) {
  return {
    async insert(key: NewApiKey): Promise<ApiKeyRecord> {
      const row: ApiKeysTable = {
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        hash: key.hash,
        is_admin: key.isAdmin ? 1 : 0,
        allow_code_execution: key.allowCodeExecution ? 1 : 0,
        models: key.models ? JSON.stringify(key.models) : null,
        rpm: key.rpm ?? null,
        tpm: key.tpm ?? null,
        budget_nanos: key.budgetNanos ?? null,
        budget_period: key.budgetPeriod,
        period_start: key.periodStart,
        spent_nanos: 0,
        reserved_nanos: 0,
        expires_at: key.expiresAt ?? null,
        revoked_at: null,
        created_at: key.createdAt,
        policy: key.policy ?? null,
        max_concurrent_requests: key.maxConcurrentRequests ?? null,
      };
      await database.db.insertInto("api_keys").values(row).execute();
      return toApiKeyRecord(row);
    },

    async get(id: string): Promise<ApiKeyRecord | undefined> {
      const row = await database.db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toApiKeyRecord(row) : undefined;
    },

    /** The key whose stored hash equals `hash`, with that stored hash (for a constant-time re-check). */
    async findByHash(hash: string): Promise<{ record: ApiKeyRecord; hash: string } | undefined> {
      const row = await database.db.selectFrom("api_keys").selectAll().where("hash", "=", hash).executeTakeFirst();
      return row ? { record: toApiKeyRecord(row), hash: row.hash } : undefined;
    },

    /** Keys whose visible prefix is `prefix` (normally one). */
    async findByPrefix(prefix: string): Promise<ApiKeyRecord[]> {
      const rows = await database.db.selectFrom("api_keys").selectAll().where("prefix", "=", prefix).orderBy("created_at").execute();
      return rows.map(toApiKeyRecord);
    },

    /** Every key, oldest first; `admin` filters admin or non-admin keys; revoked keys only with `includeRevoked`. */
    async list(filter: { admin?: boolean; name?: string; includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
      let query = database.db.selectFrom("api_keys").selectAll();
      if (filter.admin !== undefined) query = query.where("is_admin", "=", filter.admin ? 1 : 0);
      if (filter.name !== undefined) query = query.where("name", "=", filter.name);
      if (!(filter.includeRevoked ?? true)) query = query.where("revoked_at", "is", null);
      const rows = await query.orderBy("created_at").orderBy("id").execute();
      return rows.map(toApiKeyRecord);
    },

    /** Keys by id (one query); ids that do not exist are left out. */
    async getMany(ids: readonly string[]): Promise<ApiKeyRecord[]> {
      if (ids.length === 0) return [];
      const rows = await database.db.selectFrom("api_keys").selectAll().where("id", "in", [...new Set(ids)]).execute();
      return rows.map(toApiKeyRecord);
    },

    /** One page of keys with the number of keys the filter matches (see `ApiKeyListQuery`). */
    async page(query: ApiKeyListQuery): Promise<{ records: ApiKeyRecord[]; total: number }> {
      let filtered = database.db.selectFrom("api_keys");
      if (query.search !== undefined && query.search !== "") {
        const pattern = likeSubstring(query.search);
        filtered = filtered.where((eb) =>
          eb.or([eb(sql<string>`lower(name)`, "like", sql<string>`${pattern} escape '\\'`), eb(sql<string>`lower(prefix)`, "like", sql<string>`${pattern} escape '\\'`)]),
        );
      }
      if (query.admin !== undefined) filtered = filtered.where("is_admin", "=", query.admin ? 1 : 0);
      switch (query.state) {
        case undefined:
          break;
        case "revoked":
          filtered = filtered.where("revoked_at", "is not", null);
          break;
        case "expired":
          filtered = filtered.where("revoked_at", "is", null).where("expires_at", "<=", query.now);
          break;
        case "active":
          filtered = filtered.where("revoked_at", "is", null).where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", query.now)]));
          break;
        default:
          return query.state satisfies never;
      }
      const counted = await filtered.select((eb) => eb.fn.countAll().as("count")).executeTakeFirst();
      const starts = query.periodStarts;
      const currentSpend = sql<number>`case when (budget_period = 'day' and period_start < ${starts.day}) or (budget_period = 'week' and period_start < ${starts.week}) or (budget_period = 'month' and period_start < ${starts.month}) then 0 else spent_nanos end`;
      const sortColumn = { name: sql<string>`lower(name)`, created: sql<number>`created_at`, spend: currentSpend }[query.sort];
      const rows = await filtered
        .selectAll()
        .orderBy(sortColumn, query.order)
        .orderBy("created_at", query.order)
        .orderBy("id", query.order)
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      return { records: rows.map(toApiKeyRecord), total: countSchema.parse(counted?.count ?? 0) };
    },

    /** Applies a limits patch; undefined when the key does not exist. */
    async update(id: string, patch: ApiKeyLimitsPatch): Promise<ApiKeyRecord | undefined> {
      const changes: Partial<ApiKeysTable> = {};
      if (patch.name !== undefined) changes.name = patch.name;
      if (patch.models !== undefined) changes.models = patch.models === null ? null : JSON.stringify(patch.models);
      if (patch.rpm !== undefined) changes.rpm = patch.rpm;
      if (patch.tpm !== undefined) changes.tpm = patch.tpm;
      if (patch.maxConcurrentRequests !== undefined) changes.max_concurrent_requests = patch.maxConcurrentRequests;
      if (patch.budgetNanos !== undefined) changes.budget_nanos = patch.budgetNanos;
      if (patch.budgetPeriod !== undefined) changes.budget_period = patch.budgetPeriod;
      if (patch.periodStart !== undefined) changes.period_start = patch.periodStart;
      if (patch.expiresAt !== undefined) changes.expires_at = patch.expiresAt;
      if (patch.isAdmin !== undefined) changes.is_admin = patch.isAdmin ? 1 : 0;
      if (patch.allowCodeExecution !== undefined) changes.allow_code_execution = patch.allowCodeExecution ? 1 : 0;
      if (patch.policy !== undefined) changes.policy = patch.policy;
      if (Object.keys(changes).length > 0) await database.db.updateTable("api_keys").set(changes).where("id", "=", id).execute();
      return this.get(id);
    },

    /** Replaces the secret of a key (admin key from configuration changed). */
    async replaceHash(id: string, hash: string, prefix: string): Promise<void> {
      await database.db.updateTable("api_keys").set({ hash, prefix, revoked_at: null }).where("id", "=", id).execute();
    },

    /** Revokes a key; false when it does not exist or was already revoked. */
    async revoke(id: string, at: number): Promise<boolean> {
      const result = await database.db
        .updateTable("api_keys")
        .set({ revoked_at: at })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },

    /** Starts a new budget period (spent := 0) when the stored one began before `currentPeriodStart`. */
    async rollPeriod(id: string, period: Exclude<BudgetPeriod, "total">, currentPeriodStart: number): Promise<boolean> {
      const result = await database.db
        .updateTable("api_keys")
        .set({ spent_nanos: 0, period_start: currentPeriodStart })
        .where("id", "=", id)
        .where("budget_period", "=", period)
        .where("period_start", "<", currentPeriodStart)
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },

    /** `rollPeriod` for whichever of day/week/month the key uses, in one statement (the hot path of every request). */
    async rollPeriods(id: string, starts: Record<Exclude<BudgetPeriod, "total">, number>): Promise<boolean> {
      const start = sql<number>`case budget_period when 'day' then ${starts.day} when 'week' then ${starts.week} when 'month' then ${starts.month} else period_start end`;
      const result = await database.db
        .updateTable("api_keys")
        .set({ spent_nanos: 0, period_start: start })
        .where("id", "=", id)
        .where("period_start", "<", start)
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },

    /**
     * Atomically reserves `nanos` against the budget: succeeds only when the key exists, is not revoked, and
     * spent + reserved + nanos stays within the budget (or there is none). Concurrent reservations serialise on the row.
     */
    async reserve(id: string, nanos: number): Promise<boolean> {
      const result = await database.db
        .updateTable("api_keys")
        .set({ reserved_nanos: sql<number>`reserved_nanos + ${nanos}` })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .where((eb) =>
          eb.or([
            eb("budget_nanos", "is", null),
            eb(sql<number>`spent_nanos + reserved_nanos + ${nanos}`, "<=", eb.ref("budget_nanos")),
          ]),
        )
        .executeTakeFirst();
      return affectedRows(result) > 0;
    },

    /** Releases a reservation and books the real cost. */
    async release(id: string, reservedNanos: number, costNanos: number): Promise<void> {
      await database.db
        .updateTable("api_keys")
        .set({
          reserved_nanos: sql<number>`reserved_nanos - ${reservedNanos}`,
          spent_nanos: sql<number>`spent_nanos + ${costNanos}`,
        })
        .where("id", "=", id)
        .execute();
    },
  };
}

export function toApiKeyRecord(row: ApiKeysTable): ApiKeyRecord {
  return {
    id: row.id as ApiKeyId,
    name: row.name,
    prefix: row.prefix,
    isAdmin: Number(row.is_admin) === 1,
    allowCodeExecution: Number(row.allow_code_execution) === 1,
    models: modelListSchema.parse(row.models === null ? null : JSON.parse(row.models)) ?? undefined,
    rpm: row.rpm ?? undefined,
    tpm: row.tpm ?? undefined,
    maxConcurrentRequests: row.max_concurrent_requests ?? undefined,
    budgetNanos: row.budget_nanos === null ? undefined : Number(row.budget_nanos),
    budgetPeriod: budgetPeriodSchema.parse(row.budget_period),
    periodStart: Number(row.period_start),
    spentNanos: Number(row.spent_nanos),
    reservedNanos: Number(row.reserved_nanos),
    expiresAt: row.expires_at === null ? undefined : Number(row.expires_at),
    revokedAt: row.revoked_at === null ? undefined : Number(row.revoked_at),
    createdAt: Number(row.created_at),
    policy: row.policy ?? undefined,
  };
}
