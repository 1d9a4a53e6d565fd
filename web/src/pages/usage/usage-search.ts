/** Shareable URL state of the usage page (kept tiny: routes.tsx imports it into the entry). */

export const requestStatuses = ["ok", "error", "cancelled", "interrupted", "pending"] as const;
export const usageMetrics = ["requests", "tokens", "cost"] as const;

export type RequestStatus = (typeof requestStatuses)[number];
export type UsageMetric = (typeof usageMetrics)[number];

export type UsageSearch = {
  /** First day shown, `YYYY-MM-DD` in the browser's time zone. */
  from?: string | undefined;
  /** Last day shown (inclusive), `YYYY-MM-DD`. */
  to?: string | undefined;
  model?: string | undefined;
  /** Key id (admin keys only). */
  key?: string | undefined;
  /** Request-log status filter. */
  status?: RequestStatus | undefined;
  /** Request-log page (1-based). */
  page?: number | undefined;
  metric?: UsageMetric | undefined;
};

const isDate = (value: unknown): value is string => typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && Number.isFinite(Date.parse(value));
const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
const oneOf = <T extends string>(options: readonly T[], value: unknown): T | undefined => (options as readonly unknown[]).includes(value) ? (value as T) : undefined;

export function validateUsageSearch(search: Record<string, unknown>): UsageSearch {
  const page = Number(search.page);
  return {
    from: isDate(search.from) ? search.from : undefined,
    to: isDate(search.to) ? search.to : undefined,
    model: text(search.model),
    key: text(search.key),
    status: oneOf(requestStatuses, search.status),
    page: Number.isInteger(page) && page > 1 ? page : undefined,
    metric: oneOf(usageMetrics, search.metric),
  };
}
