import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import { Card, Table, Text, Title } from "@mantine/core";
import { formatDollars, formatInteger } from "../../app/format";
import { ScrollRegion } from "../../components/ScrollRegion";
import type { UsageTotals } from "./usage-api";
import type { UsageMetric } from "./usage-search";

const metricLabels: Record<UsageMetric, string> = { requests: "Requests", tokens: "Tokens", cost: "Cost" };

function metricValue(row: UsageTotals, metric: UsageMetric): number {
  switch (metric) {
    case "requests":
      return row.requests;
    case "tokens":
      return row.input_tokens + row.output_tokens;
    case "cost":
      return row.cost;
    default:
      return metric satisfies never;
  }
}

const formatMetric = (metric: UsageMetric) => (value: number) => (metric === "cost" ? formatDollars(value) : formatInteger(value));

export type ChartRow = { label: string; totals: UsageTotals };

/**
 * A bar chart of one grouping (day, model or key) and the same numbers as a table (rows with requests) with the
 * server's totals below, so every value is also text.
 */
export function UsageChartCard({ id, title, labelHeader, rows, totals, metric }: { id: string; title: string; labelHeader: string; rows: ChartRow[]; totals: UsageTotals; metric: UsageMetric }) {
  const data = rows.map((row) => ({ label: row.label, value: metricValue(row.totals, metric) }));
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={`${id}-title`}>
      <Title order={2} size="h4" mb="xs" id={`${id}-title`}>
        {title}
      </Title>
      {rows.length === 0 ? (
        <Text size="sm">No requests in this period.</Text>
      ) : (
        <div role="img" aria-label={`${metricLabels[metric]} ${title.toLowerCase()}: the table below lists every value`}>
          <BarChart
            h={220}
            data={data}
            dataKey="label"
            series={[{ name: "value", label: metricLabels[metric], color: "indigo.6" }]}
            valueFormatter={formatMetric(metric)}
            tickLine="y"
            withLegend={false}
          />
        </div>
      )}
      <ScrollRegion label={`${title} table`} minWidth={520} mt="sm">
        <Table aria-label={`${title}: requests, tokens and cost`} data-testid={`${id}-table`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{labelHeader}</Table.Th>
              <Table.Th ta="right">Requests</Table.Th>
              <Table.Th ta="right">Input tokens</Table.Th>
              <Table.Th ta="right">Output tokens</Table.Th>
              <Table.Th ta="right">Cost</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows
              .filter((row) => row.totals.requests > 0)
              .map((row, index) => (
              <Table.Tr key={`${index}-${row.label}`}>
                <Table.Td>{row.label}</Table.Td>
                <Table.Td ta="right">{formatInteger(row.totals.requests)}</Table.Td>
                <Table.Td ta="right">{formatInteger(row.totals.input_tokens)}</Table.Td>
                <Table.Td ta="right">{formatInteger(row.totals.output_tokens)}</Table.Td>
                <Table.Td ta="right">{formatDollars(row.totals.cost)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr>
              <Table.Th scope="row">Total</Table.Th>
              <Table.Td ta="right" fw={700} data-testid={`${id}-total-requests`}>
                {formatInteger(totals.requests)}
              </Table.Td>
              <Table.Td ta="right" fw={700} data-testid={`${id}-total-input`}>
                {formatInteger(totals.input_tokens)}
              </Table.Td>
              <Table.Td ta="right" fw={700} data-testid={`${id}-total-output`}>
                {formatInteger(totals.output_tokens)}
              </Table.Td>
              <Table.Td ta="right" fw={700} data-testid={`${id}-total-cost`}>
                {formatDollars(totals.cost)}
              </Table.Td>
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      </ScrollRegion>
    </Card>
  );
}
