import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { AuditKind } from "./guardrails-search";

/** A policy's current version as `GET /v1/admin/policies` lists it. */
export type PolicySummary = { object: "guardrail_policy"; name: string; version: number; versions: number; created_by: string | null; created_at: number };

/** One version of a policy (`GET /v1/admin/policies/{name}[?version=N]`). */
export type PolicyVersion = {
  object: "guardrail_policy";
  name: string;
  version: number;
  policy: Record<string, unknown>;
  source: string;
  created_by: string | null;
  created_at: number;
  keys?: string[];
};

export type AuditEntry = {
  object: "audit_entry";
  id: number;
  kind: AuditKind;
  created_at: number;
  key_id: string | null;
  actor: string | null;
  endpoint: string | null;
  model: string | null;
  route: string | null;
  policy: string | null;
  rule: string;
  action: string;
  entity_type: string | null;
  positions: Array<{ location: string; start: number; end: number }> | null;
  value_hmac: string | null;
  target: string | null;
  details: Record<string, unknown> | null;
};

export type AuditPage = { object: "list"; data: AuditEntry[]; next: number | null; has_more: boolean };

/** The audit filters as the API takes them (times as unix seconds). */
export type AuditFilter = { kind?: AuditKind | undefined; key?: string | undefined; since?: number | undefined; until?: number | undefined };

export const policiesQueryKey = ["admin-policies"] as const;

export function usePolicies() {
  return useQuery({ queryKey: policiesQueryKey, queryFn: ({ signal }) => api<{ data: PolicySummary[] }>("/v1/admin/policies", { signal }).then((list) => list.data) });
}

export function usePolicyVersion(name: string, version: number | undefined) {
  return useQuery({
    queryKey: [...policiesQueryKey, name, version ?? "current"],
    queryFn: ({ signal }) => api<PolicyVersion>(`/v1/admin/policies/${encodeURIComponent(name)}`, { signal, query: { version } }),
  });
}

/** Sets a policy (a new version of the name); the API validates the text and answers 400 naming the field. */
export function useSetPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; policy: string }) => api<PolicyVersion>("/v1/admin/policies", { method: "POST", body }),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: policiesQueryKey }), client.invalidateQueries({ queryKey: auditQueryKey })]),
  });
}

export function useDeletePolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<{ deleted: boolean }>(`/v1/admin/policies/${encodeURIComponent(name)}`, { method: "DELETE" }),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: policiesQueryKey }), client.invalidateQueries({ queryKey: auditQueryKey })]),
  });
}

export const auditQueryKey = ["admin-audit"] as const;

function auditQuery(filter: AuditFilter, before: number | undefined, limit: number) {
  return { kind: filter.kind, key: filter.key, since: filter.since, until: filter.until, before, limit };
}

/** One page of the audit log, newest first; `before` is the previous page's `next` (server-side paging). */
export function useAuditPage(filter: AuditFilter, before: number | undefined, limit: number) {
  return useQuery({
    queryKey: [...auditQueryKey, filter, before ?? null, limit],
    queryFn: () => api<AuditPage>("/v1/admin/audit", { query: auditQuery(filter, before, limit) }),
    placeholderData: keepPreviousData,
  });
}

/** Every entry matching `filter`, read page by page (1000 a page) from the API: what an export contains. */
export async function allAuditEntries(filter: AuditFilter, signal?: AbortSignal): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await api<AuditPage>("/v1/admin/audit", { signal, query: auditQuery(filter, before, 1000) });
    entries.push(...page.data);
    if (page.next === null) return entries;
    before = page.next;
  }
}
