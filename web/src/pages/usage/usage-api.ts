import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, apiUrl } from "../../api/client";
import { browserTimeZone } from "../../app/format";
import type { GuardrailDecision } from "./guardrail-decisions";
import { addDays } from "./usage-dates";
import type { RequestStatus } from "./usage-search";

export type UsageTotals = {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost: number;
  cancelled: number;
  statuses: Record<RequestStatus, number>;
};

export type UsageRow = UsageTotals & { day?: string | null; model?: string | null; key_id?: string | null; key_name?: string | null; key_prefix?: string | null };

export type UsageReport = {
  object: "list";
  time_zone: string;
  scope: "key" | "all_keys";
  since: number | null;
  until: number | null;
  by: string[];
  data: UsageRow[];
  totals: UsageTotals;
};

export type UsageLogRecord = {
  id: string;
  key_id: string | null;
  key_name: string | null;
  key_prefix: string | null;
  model: string;
  endpoint: string;
  status: RequestStatus;
  cancelled: boolean;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number;
  latency_ms: number | null;
  error: string | null;
  created_at: number;
  finished_at: number | null;
  /** The request's guardrail decisions (empty when none, or when the server runs without guardrails). */
  guardrail_decisions?: GuardrailDecision[];
};

export type UsageLog = { object: "list"; data: UsageLogRecord[]; total: number; has_more: boolean };

/** The days shown (inclusive, browser dates) and the model/key filters. */
export type UsageFilter = { from: string; to: string; model?: string | undefined; keyId?: string | undefined };

/** Query parameters of every usage request: local-midnight bounds in the browser's zone (`until` is exclusive). */
function filterQuery(filter: UsageFilter) {
  return { tz: browserTimeZone, since: filter.from, until: addDays(filter.to, 1), model: filter.model, key_id: filter.keyId };
}

/** Totals grouped by `by`, aggregated by the server (days from midnight to midnight in the browser's time zone). */
export function useUsageReport(by: "day" | "model" | "key", filter: UsageFilter) {
  const query = { ...filterQuery(filter), by };
  return useQuery({
    queryKey: ["usage-report", query],
    queryFn: () => api<UsageReport>("/v1/usage", { query }),
    placeholderData: keepPreviousData,
  });
}

export const logPageSize = 25;

/** One page of the request log, paged and filtered by the server. */
export function useUsageLog(filter: UsageFilter, status: RequestStatus | undefined, page: number) {
  const query = { ...filterQuery(filter), status, limit: logPageSize, offset: (page - 1) * logPageSize };
  return useQuery({
    queryKey: ["usage-log", query],
    queryFn: () => api<UsageLog>("/v1/usage/records", { query }),
    placeholderData: keepPreviousData,
  });
}

/** The CSV download of the same report (by day, model and key), built by the server. */
export function exportUrl(filter: UsageFilter): string {
  return apiUrl("/v1/usage/export", { format: "csv", by: "day,model,key", ...filterQuery(filter) });
}
