import { currentPeriodStart, nanosToDollars, periodEnd } from "../../maas/index.js";
import type { ApiKeyRecord } from "../../store/index.js";
import { unixSeconds } from "../admin/admin-fields.js";

/**
 * A key's budget in its current period: the end of the period, what is spent, reserved and left. A period that rolled
 * over since the key's last request has spent nothing yet (the stored counter resets on the next request).
 */
export function budgetView(record: ApiKeyRecord, now: number) {
  const periodStart = currentPeriodStart(record.budgetPeriod, now, record.createdAt);
  const spentNanos = periodStart > record.periodStart ? 0 : record.spentNanos;
  const reservedNanos = record.reservedNanos;
  return {
    budget: record.budgetNanos === undefined ? null : nanosToDollars(record.budgetNanos),
    budget_period: record.budgetPeriod,
    budget_period_end: unixSeconds(periodEnd(record.budgetPeriod, Math.max(periodStart, record.periodStart))),
    spent: nanosToDollars(spentNanos),
    reserved: nanosToDollars(reservedNanos),
    remaining: record.budgetNanos === undefined ? null : nanosToDollars(Math.max(0, record.budgetNanos - spentNanos - reservedNanos)),
  };
}

/**
 * What a key may see of itself (`GET /v1/me`, console sessions): id, name, admin, limits, and its budget with what is
 * spent and left in the current period. Never the secret.
 */
export function toOwnKeyView(record: ApiKeyRecord, now: number) {
  return {
    id: record.id,
    object: "api_key",
    name: record.name,
    prefix: record.prefix,
    is_admin: record.isAdmin,
    allow_code_execution: record.isAdmin || record.allowCodeExecution,
    models: record.models ?? null,
    rpm: record.rpm ?? null,
    tpm: record.tpm ?? null,
    max_concurrent_requests: record.maxConcurrentRequests ?? null,
    ...budgetView(record, now),
    expires_at: unixSeconds(record.expiresAt),
    created_at: unixSeconds(record.createdAt),
  };
}
