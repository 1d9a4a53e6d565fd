import { Table, Text } from "@mantine/core";
import { formatInteger } from "../../app/format";
import { formatInterval, formatPercent, formatStandardError } from "./evalFormat";
import type { MetricView } from "./evalTypes";
import { ScrollTable } from "./ScrollTable";

/** A run's metrics: mean, standard error and bootstrap 95% interval (percent), items; the primary one marked. */
export function MetricsTable({ metrics, primary, caption }: { metrics: MetricView[]; primary: string; caption: string }) {
  if (metrics.length === 0) return <Text size="sm">No results yet: metrics appear when items are scored.</Text>;
  return (
    <ScrollTable minWidth={520} label="Metrics">
      <Table data-testid="metrics-table">
        <Table.Caption>{caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Metric</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>Standard error</Table.Th>
            <Table.Th>95% interval</Table.Th>
            <Table.Th>Items</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {metrics.map((metric) => (
            <Table.Tr key={metric.name} data-metric={metric.name}>
              <Table.Td>
                {metric.name}
                {metric.name === primary ? " (primary)" : ""}
              </Table.Td>
              <Table.Td data-testid={`metric-value-${metric.name}`}>{formatPercent(metric.value)}</Table.Td>
              <Table.Td>{formatStandardError(metric.standard_error)}</Table.Td>
              <Table.Td data-testid={`metric-interval-${metric.name}`}>{formatInterval(metric.interval)}</Table.Td>
              <Table.Td>{formatInteger(metric.count)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
