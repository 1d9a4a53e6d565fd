import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { KeysSearch } from "./keys-search";

/** A key as `GET /v1/admin/keys` shows it (never the secret). */
export type AdminKey = {
  id: string;
  object: "api_key";
  name: string;
  prefix: string;
  is_admin: boolean;
  allow_code_execution: boolean;
  /** The key's guardrail policy by name (`null`: the default policy alone). */
  policy: string | null;
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  /** Most requests of this key in flight at once, across instances (`null`: no cap). */
  max_concurrent_requests: number | null;
  budget: number | null;
  budget_period: BudgetPeriod;
  budget_period_end: number | null;
  spent: number;
  reserved: number;
  remaining: number | null;
  status: "active" | "revoked" | "expired";
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
};

export type BudgetPeriod = "day" | "week" | "month" | "total";
export type KeyPage = { object: "list"; data: AdminKey[]; total: number; has_more: boolean };

/** The fields of `POST /v1/admin/keys` (and of `PATCH`, where `null` removes a limit). */
export type KeyFields = {
  name: string;
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  max_concurrent_requests: number | null;
  budget: number | null;
  budget_period: BudgetPeriod;
  /** Unix seconds, or an ISO date/time as typed. */
  expires_at: number | string | null;
  is_admin: boolean;
  allow_code_execution: boolean;
  /** A policy name; `null` (in `PATCH`: removes it) leaves the default policy alone. */
  policy: string | null;
};

export const defaultPageSize = 25;

/** Newest and biggest spenders first; names A to Z. */
export function defaultOrder(sort: KeysSearch["sort"]): "asc" | "desc" {
  return sort === "name" ? "asc" : "desc";
}
const keysQueryKey = ["admin-keys"] as const;

/**
 * One page of keys, filtered and sorted by the server; the previous page stays on screen while the next loads. (No
 * abort signal: a page left behind by a quick filter change finishes instead of showing as a failed request.)
 */
export function useKeyPage(search: KeysSearch) {
  const size = search.size ?? defaultPageSize;
  const query = {
    search: search.search,
    status: search.status,
    admin: search.role === undefined ? undefined : search.role === "admin",
    sort: search.sort ?? "created",
    order: search.order ?? defaultOrder(search.sort),
    limit: size,
    offset: ((search.page ?? 1) - 1) * size,
  };
  return useQuery({
    queryKey: [...keysQueryKey, query],
    queryFn: () => api<KeyPage>("/v1/admin/keys", { query }),
    placeholderData: keepPreviousData,
  });
}

/** Mutations refresh every key list (and the usage page's key names) so changes show without a reload. */
function useKeyMutation<Input, Output>(run: (input: Input) => Promise<Output>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keysQueryKey }),
  });
}

export function useCreateKey() {
  return useKeyMutation((fields: KeyFields) => api<AdminKey & { key: string }>("/v1/admin/keys", { method: "POST", body: fields }));
}

export function useUpdateKey() {
  return useKeyMutation(({ id, changes }: { id: string; changes: Partial<KeyFields> }) => api<AdminKey>(`/v1/admin/keys/${encodeURIComponent(id)}`, { method: "PATCH", body: changes }));
}

export function useRevokeKey() {
  return useKeyMutation((id: string) => api<AdminKey>(`/v1/admin/keys/${encodeURIComponent(id)}`, { method: "DELETE" }));
}

/** Model names for the allow-list picker. */
export function useModelNames() {
  return useQuery({
    queryKey: ["keys-page", "model-names"],
    queryFn: () => api<{ data: Array<{ id: string }> }>("/v1/models"),
    select: (list) => list.data.map((model) => model.id).sort(),
  });
}

/** The guardrail policies' names, for the key form's policy select. */
export function usePolicyNames() {
  return useQuery({
    queryKey: ["keys-page", "policy-names"],
    queryFn: () => api<{ data: Array<{ name: string }> }>("/v1/admin/policies"),
    select: (list) => list.data.map((policy) => policy.name).sort(),
  });
}
