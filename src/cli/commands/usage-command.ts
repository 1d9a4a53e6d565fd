import { Command, InvalidArgumentError } from "commander";
import type { UsageReportRow } from "../../maas/index.js";
import type { UsageGrouping, UsageStatus } from "../../store/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase } from "../cli-context.js";
import { formatDollars, printJson, printTable } from "../output.js";
import { parseDate, parseList } from "../parse-options.js";

const groupings = ["key", "model", "day", "route", "endpoint", "status"] as const satisfies readonly UsageGrouping[];
/** Request counts shown per row (`--json` also has `pending`). */
const settledUsageStatuses = ["ok", "error", "cancelled", "interrupted"] as const satisfies readonly UsageStatus[];

type UsageOptions = { by: UsageGrouping[]; since?: number; until?: number; json?: boolean };

/**
 * `aiplus usage`: requests (by status), tokens, the cost charged to keys and the provider cost from the ledger, grouped
 * by key, model, day, route, endpoint and/or status.
 */
export function usageCommand(): Command {
  return new Command("usage")
    .description("report requests by status, tokens, cost charged and provider cost from the usage ledger")
    .option("--by <columns>", `group by any of ${groupings.join(",")}`, parseGrouping, ["key", "model"] satisfies UsageGrouping[])
    .option("--since <date>", "from this date (UTC, inclusive), e.g. 2026-11-01", parseDate)
    .option("--until <date>", "up to this date (UTC, exclusive)", parseDate)
    .option("--json", "print JSON")
    .action(async (options: UsageOptions, command: Command) => {
      const { createUsageReports } = await import("../../maas/index.js");
      const rows = await withDatabase(await resolveConfig(command), (database) =>
        createUsageReports({ database }).aggregate({ by: options.by, since: options.since, until: options.until }),
      );
      if (options.json) {
        printJson(rows.map((await loadApiViews()).usageRowView));
        return;
      }
      const header = [
        ...options.by.map((column) => column.toUpperCase()),
        "REQUESTS",
        "INPUT TOKENS",
        "OUTPUT TOKENS",
        "COST",
        "PROVIDER COST",
        ...settledUsageStatuses.map((status) => status.toUpperCase()),
      ];
      printTable(
        header,
        rows.map((row) => [
          ...options.by.map((column) => groupValue(row, column)),
          String(row.requests),
          String(row.inputTokens),
          String(row.outputTokens),
          formatDollars(row.costDollars),
          formatDollars(row.providerCostDollars),
          ...settledUsageStatuses.map((status) => String(row.statuses[status])),
        ]),
        "no usage recorded in this period",
      );
    });
}

function groupValue(row: UsageReportRow, column: UsageGrouping): string {
  switch (column) {
    case "key":
      return row.keyId === undefined ? "(cli)" : row.keyName === undefined ? row.keyId : `${row.keyName} (${row.keyPrefix ?? ""}…)`;
    case "model":
      return row.model ?? "-";
    case "day":
      return row.day ?? "-";
    case "route":
      return row.route ?? "-";
    case "endpoint":
      return row.endpoint ?? "-";
    case "status":
      return row.status ?? "-";
    default:
      return column satisfies never;
  }
}

function parseGrouping(value: string): UsageGrouping[] {
  const columns = parseList(value);
  const unknown = columns.find((column) => !(groupings as readonly string[]).includes(column));
  if (unknown !== undefined) throw new InvalidArgumentError(`Must list any of ${groupings.join(", ")} (got ${unknown}).`);
  return columns as UsageGrouping[];
}
