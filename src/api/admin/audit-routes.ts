import { Hono } from "hono";
import { z } from "zod";
import type { Guardrails } from "../../guardrails/index.js";
import type { AuditEntry } from "../../store/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { timeField, unixSeconds } from "./admin-fields.js";

const sequence = (name: string) => z.coerce.number({ error: `${name} must be a positive integer` }).int({ error: `${name} must be a positive integer` }).positive({ error: `${name} must be a positive integer` });
/** Query values are strings: a time is an ISO date/time or unix seconds. */
const queryTime = (name: string) => z.string().transform((value) => (/^\d+(\.\d+)?$/.test(value) ? Number(value) : value)).pipe(timeField(name));

const auditQuery = z.strictObject({
  since: queryTime("since").optional(),
  until: queryTime("until").optional(),
  key: z.string().min(1, { error: "key must not be empty" }).optional(),
  kind: z.enum(["guardrail", "admin"], { error: "kind must be guardrail or admin" }).optional(),
  request_id: z.string().min(1, { error: "request_id must not be empty" }).max(200, { error: "request_id must be at most 200 characters" }).optional(),
  before: sequence("before").optional(),
  limit: sequence("limit").max(1000, { error: "limit must be at most 1000" }).default(100),
});

/**
 * `GET /v1/admin/audit`: the audit log, newest first, `limit` per page (default 100, at most 1000); `next` is the
 * `before` of the following page (null on the last). Filters: `since`, `until` (ISO or unix seconds), `key` (a key id),
 * `kind` (`guardrail` or `admin`), `request_id` (the ledger's request id: one request's guardrail decisions).
 */
export function auditRoutes(guardrails: Guardrails): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().get("/", async (c) => {
    const query = parseWithSchema(auditQuery, c.req.query());
    const page = await guardrails.audit.page({ since: query.since, until: query.until, keyId: query.key, kind: query.kind, requestId: query.request_id, before: query.before, limit: query.limit });
    return c.json({ object: "list", data: page.entries.map(auditView), next: page.next ?? null, has_more: page.next !== undefined });
  });
}

/** An audit entry on the wire (never a detected value: only its HMAC). */
export function auditView(entry: AuditEntry) {
  return {
    object: "audit_entry",
    id: entry.seq,
    kind: entry.kind,
    created_at: unixSeconds(entry.createdAt),
    key_id: entry.keyId ?? null,
    actor: entry.actor ?? null,
    endpoint: entry.endpoint ?? null,
    model: entry.model ?? null,
    route: entry.route ?? null,
    policy: entry.policy ?? null,
    rule: entry.rule,
    action: entry.action,
    entity_type: entry.entityType ?? null,
    positions: entry.positions ?? null,
    value_hmac: entry.valueHmac ?? null,
    target: entry.target ?? null,
    details: entry.details ?? null,
    request_id: entry.requestId ?? null,
  };
}
