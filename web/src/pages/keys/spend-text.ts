import { formatDollars } from "../../app/format";
import type { AdminKey, BudgetPeriod } from "./keys-api";

const periodWords: Record<BudgetPeriod, string> = { day: "today", week: "this week", month: "this month", total: "in total" };

/** Spend against the budget in the current period, as text: `$1.20 of $10.00 (12%) this month`. */
export function spendText(key: Pick<AdminKey, "spent" | "budget" | "budget_period">): string {
  const period = periodWords[key.budget_period];
  if (key.budget === null) return `${formatDollars(key.spent)} ${period}, no budget`;
  const share = key.budget === 0 ? 100 : Math.round((key.spent / key.budget) * 100);
  return `${formatDollars(key.spent)} of ${formatDollars(key.budget)} (${share}%) ${period}`;
}
