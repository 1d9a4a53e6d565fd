import { Button, Card, Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { getRouteApi } from "@tanstack/react-router";
import { browserTimeZone, formatDollars, formatInteger } from "../../app/format";
import { useMe } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { RequestLog } from "./RequestLog";
import { exportUrl, type UsageFilter, type UsageReport, type UsageTotals, useUsageReport } from "./usage-api";
import { addDays, datesBetween, localToday } from "./usage-dates";
import { type UsageSearch, usageMetrics } from "./usage-search";
import { type ChartRow, UsageChartCard } from "./UsageChartCard";
import { keyLabel, UsageFilters } from "./UsageFilters";

const route = getRouteApi("/usage");

const emptyTotals: UsageTotals = { requests: 0, input_tokens: 0, output_tokens: 0, cost: 0, cancelled: 0, statuses: { ok: 0, error: 0, cancelled: 0, interrupted: 0, pending: 0 } };

function TotalsCards({ totals }: { totals: UsageTotals }) {
  const cells: Array<[string, string, string]> = [
    ["Requests", formatInteger(totals.requests), "requests"],
    ["Input tokens", formatInteger(totals.input_tokens), "input"],
    ["Output tokens", formatInteger(totals.output_tokens), "output"],
    ["Cost", formatDollars(totals.cost), "cost"],
  ];
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }}>
      {cells.map(([label, value, id]) => (
        <Card withBorder padding="sm" key={id}>
          <Text size="sm">{label}</Text>
          <Text size="xl" fw={700} data-testid={`usage-total-${id}`}>
            {value}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

/** Every day of the period, days without requests as zero (the totals come from the server's own aggregation). */
function dayRows(report: UsageReport, from: string, to: string): ChartRow[] {
  const byDay = new Map(report.data.map((row) => [row.day ?? "", row]));
  return datesBetween(from, to).map((day) => ({ label: day, totals: byDay.get(day) ?? emptyTotals }));
}

/** Screen 6: usage by day, model and key in the browser's time zone, CSV export, and the request log. */
export function UsagePage() {
  const me = useMe();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const to = search.to ?? localToday();
  const from = search.from ?? addDays(to, -29);
  const keyId = me.is_admin ? search.key : undefined;
  const filter: UsageFilter = { from, to, model: search.model, keyId };
  const metric = search.metric ?? "requests";
  const byDay = useUsageReport("day", filter);
  const byModel = useUsageReport("model", filter);
  const byKey = useUsageReport("key", filter);
  // Filter choices: the models and keys used in the period (same server reports, without their own filter).
  const modelChoices = useUsageReport("model", { from, to, keyId });
  const keyChoices = useUsageReport("key", { from, to, model: search.model });
  const change = (changes: Partial<UsageSearch>, keepPage = false) =>
    void navigate({ search: (previous) => ({ ...previous, ...changes, ...(keepPage ? {} : { page: undefined }) }), replace: true });
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Usage</Title>
          <Text size="sm" c="dimmed">
            {me.is_admin ? "Every key's requests" : `Requests of your key ${me.name}`}; days run from midnight to midnight in {browserTimeZone}.
          </Text>
        </div>
        <Button component="a" href={exportUrl(filter)} download variant="default">
          Download CSV
        </Button>
      </Group>
      <UsageFilters
        from={from}
        to={to}
        model={search.model}
        keyId={keyId}
        models={modelChoices.data}
        keys={me.is_admin ? keyChoices.data : undefined}
        onChange={(changes) => change(changes)}
      />
      <QueryState query={byDay} label="usage by day">
        {(report) => (
          <Stack>
            <TotalsCards totals={report.totals} />
            <Group justify="flex-end">
              <SegmentedControl
                aria-label="Chart metric"
                data={usageMetrics.map((value) => ({ value, label: value === "requests" ? "Requests" : value === "tokens" ? "Tokens" : "Cost" }))}
                value={metric}
                onChange={(value) => change({ metric: value === "requests" ? undefined : value }, true)}
              />
            </Group>
            <UsageChartCard id="by-day" title="By day" labelHeader="Day" rows={dayRows(report, from, to)} totals={report.totals} metric={metric} />
          </Stack>
        )}
      </QueryState>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <QueryState query={byModel} label="usage by model">
          {(report) => (
            <UsageChartCard id="by-model" title="By model" labelHeader="Model" rows={report.data.map((row) => ({ label: row.model ?? "—", totals: row }))} totals={report.totals} metric={metric} />
          )}
        </QueryState>
        <QueryState query={byKey} label="usage by key">
          {(report) => <UsageChartCard id="by-key" title="By key" labelHeader="Key" rows={report.data.map((row) => ({ label: keyLabel(row), totals: row }))} totals={report.totals} metric={metric} />}
        </QueryState>
      </SimpleGrid>
      <RequestLog
        filter={filter}
        status={search.status}
        page={search.page ?? 1}
        showKey={me.is_admin}
        onStatusChange={(status) => change({ status })}
        onPageChange={(page) => change({ page: page === 1 ? undefined : page }, true)}
      />
    </Stack>
  );
}
