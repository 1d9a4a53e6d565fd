import type { Insertable, Selectable } from "kysely";
import type { AuditLogTable } from "../schema.js";
import type { DatabaseExecutor } from "./database-executor.js";

/** One entry of the audit log, as appended. */
export type NewAuditEntry = {
  createdAt: number;
  kind: "guardrail" | "admin";
  keyId?: string | undefined;
  actor?: string | undefined;
  endpoint?: string | undefined;
  model?: string | undefined;
  route?: string | undefined;
  policy?: string | undefined;
  rule: string;
  action: string;
  entityType?: string | undefined;
  positions?: ReadonlyArray<{ location: string; start: number; end: number }> | undefined;
  valueHmac?: string | undefined;
  target?: string | undefined;
  details?: Record<string, unknown> | undefined;
  /** The ledger's request id (the usage record of the model call a guardrail decision belongs to). */
  requestId?: string | undefined;
};

/** A stored entry: its sequence number orders the log. */
export type AuditEntry = NewAuditEntry & { seq: number };

/** Which entries a page shows: newest first, before the `before` sequence number. */
export type AuditQuery = {
  since?: number | undefined;
  until?: number | undefined;
  keyId?: string | undefined;
  kind?: "guardrail" | "admin" | undefined;
  /** Only the decisions of this request (the ledger's request id). */
  requestId?: string | undefined;
  /** Only entries older than this sequence number (the previous page's `next`). */
  before?: number | undefined;
  limit: number;
};

/** Rows per INSERT statement (SQLite binds at most 32766 values; 17 columns a row). */
const rowsPerInsert = 500;

/** The append-only audit log: entries are added, read, never changed (the tables' triggers refuse it too). */
export type AuditLogRepository = ReturnType<typeof createAuditLogRepository>;

export function createAuditLogRepository(database: DatabaseExecutor) {
  return {
    /** Appends entries, all or none. */
    async append(entries: readonly NewAuditEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const rows = entries.map(toRow);
      if (rows.length <= rowsPerInsert) {
        await database.db.insertInto("audit_log").values(rows).execute();
        return;
      }
      await database.db.transaction().execute(async (transaction) => {
        for (let index = 0; index < rows.length; index += rowsPerInsert) await transaction.insertInto("audit_log").values(rows.slice(index, index + rowsPerInsert)).execute();
      });
    },

    /** One page, newest first; `next` is the `before` of the following page (undefined on the last). */
    async page(query: AuditQuery): Promise<{ entries: AuditEntry[]; next: number | undefined }> {
      let select = database.db.selectFrom("audit_log").selectAll();
      if (query.since !== undefined) select = select.where("created_at", ">=", query.since);
      if (query.until !== undefined) select = select.where("created_at", "<", query.until);
      if (query.keyId !== undefined) select = select.where("key_id", "=", query.keyId);
      if (query.kind !== undefined) select = select.where("kind", "=", query.kind);
      if (query.requestId !== undefined) select = select.where("request_id", "=", query.requestId);
      if (query.before !== undefined) select = select.where("seq", "<", query.before);
      const rows = await select.orderBy("seq", "desc").limit(query.limit + 1).execute();
      const entries = rows.slice(0, query.limit).map(toEntry);
      return { entries, next: rows.length > query.limit ? entries.at(-1)?.seq : undefined };
    },

    /** The entries of these requests (ledger request ids), oldest first, at most `limit` in all. */
    async forRequests(requestIds: readonly string[], limit: number): Promise<AuditEntry[]> {
      if (requestIds.length === 0) return [];
      const rows = await database.db.selectFrom("audit_log").selectAll().where("request_id", "in", [...new Set(requestIds)]).orderBy("seq", "asc").limit(limit).execute();
      return rows.map(toEntry);
    },
  };
}

function toRow(entry: NewAuditEntry): Insertable<AuditLogTable> {
  return {
    created_at: entry.createdAt,
    kind: entry.kind,
    key_id: entry.keyId ?? null,
    actor: entry.actor ?? null,
    endpoint: entry.endpoint ?? null,
    model: entry.model ?? null,
    route: entry.route ?? null,
    policy: entry.policy ?? null,
    rule: entry.rule,
    action: entry.action,
    entity_type: entry.entityType ?? null,
    positions: entry.positions ? JSON.stringify(entry.positions) : null,
    value_hmac: entry.valueHmac ?? null,
    target: entry.target ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
    request_id: entry.requestId ?? null,
  };
}

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    seq: Number(row.seq),
    createdAt: Number(row.created_at),
    kind: row.kind === "admin" ? "admin" : "guardrail",
    keyId: row.key_id ?? undefined,
    actor: row.actor ?? undefined,
    endpoint: row.endpoint ?? undefined,
    model: row.model ?? undefined,
    route: row.route ?? undefined,
    policy: row.policy ?? undefined,
    rule: row.rule,
    action: row.action,
    entityType: row.entity_type ?? undefined,
    positions: row.positions === null ? undefined : (JSON.parse(row.positions) as AuditEntry["positions"]),
    valueHmac: row.value_hmac ?? undefined,
    target: row.target ?? undefined,
    details: row.details === null ? undefined : (JSON.parse(row.details) as Record<string, unknown>),
    requestId: row.request_id ?? undefined,
  };
}
