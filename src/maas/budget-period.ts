import type { BudgetPeriod } from "../store/index.js";

/** Start (UTC) of the budget period containing `now`; weeks start on Monday. `total` never rolls: it returns `createdAt`. */
export function currentPeriodStart(period: BudgetPeriod, now: number, createdAt = now): number {
  const date = new Date(now);
  switch (period) {
    case "day":
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    case "week": {
      const daysSinceMonday = (date.getUTCDay() + 6) % 7;
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - daysSinceMonday);
    }
    case "month":
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    case "total":
      return createdAt;
    default:
      return period satisfies never;
  }
}

/** End of the period that began at `start`; undefined for `total`. */
export function periodEnd(period: BudgetPeriod, start: number): number | undefined {
  const date = new Date(start);
  switch (period) {
    case "day":
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
    case "week":
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 7);
    case "month":
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    case "total":
      return undefined;
    default:
      return period satisfies never;
  }
}

/** UTC `YYYY-MM-DD` of an epoch-ms time. */
export function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}
