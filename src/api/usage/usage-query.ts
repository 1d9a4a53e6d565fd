import { z } from "zod";
import type { KeyPrincipal } from "../../maas/index.js";
import { InvalidRequestError, PermissionDeniedError } from "../../spec/index.js";
import type { UsageGrouping, UsageStatus } from "../../store/index.js";
import { assertTimeZone, zonedMidnight } from "../console/zoned-time.js";

const usageStatuses = ["ok", "error", "cancelled", "interrupted", "pending"] as const satisfies readonly UsageStatus[];

/** Query parameters every usage report, log and export takes. */
export const usageFilterShape = {
  since: z.string().optional(),
  until: z.string().optional(),
  tz: z.string().optional(),
  key_id: z.string().min(1, { error: "key_id must not be empty" }).optional(),
  model: z.string().min(1, { error: "model must not be empty" }).optional(),
  status: z.enum(usageStatuses, { error: `status must be one of ${usageStatuses.join(", ")}` }).optional(),
};

/** `by=day,model`: a comma-separated list of `allowed` groupings (empty: one grand total). */
export function groupingList<Grouping extends UsageGrouping>(allowed: readonly Grouping[]) {
  return z
    .string()
    .optional()
    .transform((value, context): Grouping[] => {
      const parts = value ? value.split(",").map((part) => part.trim()).filter(Boolean) : [];
      const isAllowed = (part: string): part is Grouping => (allowed as readonly string[]).includes(part);
      if (parts.every(isAllowed)) return [...new Set(parts)];
      context.addIssue({ code: "custom", message: `by must list ${allowed.join(", ")}; got ${value}` });
      return z.NEVER;
    });
}

/** A non-negative integer query parameter with bounds (`limit`, `offset`). */
export function integerParameter(name: string, minimum: number, maximum: number) {
  const message = `${name} must be an integer from ${minimum} to ${maximum}`;
  return z
    .string()
    .regex(/^\d+$/, { error: message })
    .transform(Number)
    .pipe(z.number().min(minimum, { error: message }).max(maximum, { error: message }));
}

type FilterQuery = {
  since?: string | undefined;
  until?: string | undefined;
  tz?: string | undefined;
  key_id?: string | undefined;
  model?: string | undefined;
  status?: UsageStatus | undefined;
};

/** A resolved usage filter: epoch-ms bounds, the IANA zone of days, and the key the caller may see. */
export type UsageScope = {
  since: number | undefined;
  until: number | undefined;
  timeZone: string;
  keyId: string | undefined;
  model: string | undefined;
  status: UsageStatus | undefined;
  /** `key`: the caller's own usage; `all_keys`: an admin's view of every key. */
  scope: "key" | "all_keys";
};

/**
 * Resolves the filter for `principal`: a key that is not an admin sees only its own usage (another `key_id` is a
 * 403); `since`/`until` are unix seconds, an ISO date/time, or a bare date `YYYY-MM-DD` meaning midnight in `tz`.
 */
export function resolveUsageScope(query: FilterQuery, principal: KeyPrincipal): UsageScope {
  const timeZone = query.tz ?? "UTC";
  assertTimeZone(timeZone);
  if (!principal.isAdmin && query.key_id !== undefined && query.key_id !== principal.id) {
    throw new PermissionDeniedError({ message: "A key that is not an admin key sees only its own usage; leave out key_id or pass its own id.", param: "key_id", code: "usage_of_other_key" });
  }
  const since = timeBound(query.since, "since", timeZone);
  const until = timeBound(query.until, "until", timeZone);
  if (since !== undefined && until !== undefined && until <= since) {
    throw new InvalidRequestError({ message: "until must be later than since (until is exclusive)", param: "until" });
  }
  return {
    since,
    until,
    timeZone,
    keyId: principal.isAdmin ? query.key_id : principal.id,
    model: query.model,
    status: query.status,
    scope: principal.isAdmin ? "all_keys" : "key",
  };
}

/** Epoch ms of a time bound: unix seconds (5 to 12 digits), a date `YYYY-MM-DD` (local midnight in `timeZone`), or an ISO date/time. */
export function timeBound(value: string | undefined, param: string, timeZone: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{5,12}$/.test(value)) return Number(value) * 1000;
  const time = Date.parse(value);
  if (!Number.isFinite(time)) throw new InvalidRequestError({ message: `${param} must be unix seconds, a date (YYYY-MM-DD) or an ISO date/time; got ${JSON.stringify(value)}`, param });
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date) return zonedMidnight({ year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) }, timeZone);
  return time;
}
