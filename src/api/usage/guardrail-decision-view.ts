import type { AuditEntry } from "../../store/index.js";
import { unixSeconds } from "../admin/admin-fields.js";

/**
 * One guardrail decision of a request as the usage log shows it to the request's key: what rule acted how, on which
 * route, where in the request or answer, how often. Never the value, nor its HMAC (that is the admin audit log's).
 */
export function guardrailDecisionView(entry: AuditEntry) {
  const occurrences = typeof entry.details?.occurrences === "number" ? entry.details.occurrences : (entry.positions?.length ?? 1);
  return {
    audit_id: entry.seq,
    created_at: unixSeconds(entry.createdAt),
    route: entry.route ?? null,
    policy: entry.policy ?? null,
    rule: entry.rule,
    action: entry.action,
    entity_type: entry.entityType ?? null,
    occurrences,
    positions: entry.positions ?? [],
  };
}

export type GuardrailDecisionView = ReturnType<typeof guardrailDecisionView>;

/** The decisions of each request id (requests without any get an empty list). */
export function decisionsByRequest(requestIds: readonly string[], entries: readonly AuditEntry[]): Map<string, GuardrailDecisionView[]> {
  const byRequest = new Map<string, GuardrailDecisionView[]>(requestIds.map((id) => [id, []]));
  for (const entry of entries) {
    if (entry.kind !== "guardrail" || entry.requestId === undefined) continue;
    byRequest.get(entry.requestId)?.push(guardrailDecisionView(entry));
  }
  return byRequest;
}
