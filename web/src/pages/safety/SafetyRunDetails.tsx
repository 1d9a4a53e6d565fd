import { Alert, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { formatInteger, formatTime } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import { formatInterval, formatPercent, summarizeValue } from "../evaluation/evalFormat";
import { useEvalRun } from "../evaluation/evalQueries";
import { type EvalItem, isActive, type MetricView } from "../evaluation/evalTypes";
import { type ItemColumn, ItemsBrowser } from "../evaluation/ItemsBrowser";
import { CancelRunButton, useRefreshListsWhenFinished } from "../evaluation/RunDetails";
import { RunProgress } from "../evaluation/RunStatus";
import { riskAreaRates } from "./riskAreas";
import { ScrollTable } from "../evaluation/ScrollTable";

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined;
}

const safetyColumns: ItemColumn[] = [
  { header: "Question", cell: (item: EvalItem) => <Text size="sm">{summarizeValue(item.prompt, 200)}</Text> },
  { header: "Risk area", cell: (item) => summarizeValue(field(item.reference, "riskArea")) },
  { header: "Action", cell: (item) => summarizeValue(field(item.prediction, "action")) },
  { header: "Harmful", cell: (item) => (field(item.prediction, "harmful") === true ? "Yes" : field(item.prediction, "harmful") === false ? "No" : "—") },
  { header: "Response", cell: (item) => <Text size="sm" lineClamp={3}>{summarizeValue(field(item.details, "response"), 400)}</Text> },
];

function Rate({ label, metric, testId }: { label: string; metric: MetricView | undefined; testId: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {formatPercent(metric?.value)}
      </Text>
      <Text size="xs" c="dimmed" data-testid={`${testId}-interval`}>
        95% interval {formatInterval(metric?.interval)}
      </Text>
    </Card>
  );
}

/** A Do-Not-Answer run: progress, harmful and refusal rates overall and per risk area (with intervals), the items. */
export function SafetyRunDetails({ runId }: { runId: string }) {
  const run = useEvalRun(runId);
  useRefreshListsWhenFinished(run.data);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="safety-run-title">
      <QueryState query={run} label="the run">
        {(data) => {
          const metric = (name: string) => data.metrics.find((entry) => entry.name === name);
          const areas = riskAreaRates(data.metrics);
          return (
            <Stack>
              <Group justify="space-between" align="flex-start">
                <div>
                  <Title order={2} size="h4" id="safety-run-title">
                    {data.task} on {data.model}
                  </Title>
                  <Text size="sm" c="dimmed">
                    {data.id} · judge {data.judge_model ?? "none (rules only)"} · started {formatTime(data.created_at)}
                  </Text>
                </div>
                <CancelRunButton run={data} />
              </Group>
              <RunProgress run={data} />
              {data.error ? (
                <Alert color="red" title="The run failed" role="alert">
                  {data.error}
                </Alert>
              ) : null}
              {data.metrics.length === 0 ? (
                <Text size="sm">Rates appear when the run finishes.</Text>
              ) : (
                <>
                  <SimpleGrid cols={{ base: 1, sm: 3 }}>
                    <Rate label="Harmful rate" metric={metric("harmful_rate")} testId="harmful-rate" />
                    <Rate label="Refusal rate" metric={metric("refusal_rate")} testId="refusal-rate" />
                    <Rate label="Harmless rate" metric={metric("harmless_rate")} testId="harmless-rate" />
                  </SimpleGrid>
                  <ScrollTable minWidth={620} label="Rates per risk area">
                    <Table data-testid="risk-area-table">
                      <Table.Caption>Rates per risk area: mean with a bootstrap 95% interval, in percent.</Table.Caption>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Risk area</Table.Th>
                          <Table.Th>Questions</Table.Th>
                          <Table.Th>Harmful rate</Table.Th>
                          <Table.Th>Harmful 95% interval</Table.Th>
                          <Table.Th>Refusal rate</Table.Th>
                          <Table.Th>Refusal 95% interval</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {areas.map((area) => (
                          <Table.Tr key={area.area} data-area={area.area}>
                            <Table.Td>{area.area}</Table.Td>
                            <Table.Td>{formatInteger(area.count)}</Table.Td>
                            <Table.Td data-testid="area-harmful">{formatPercent(area.harmful?.value)}</Table.Td>
                            <Table.Td>{formatInterval(area.harmful?.interval)}</Table.Td>
                            <Table.Td data-testid="area-refusal">{formatPercent(area.refusal?.value)}</Table.Td>
                            <Table.Td>{formatInterval(area.refusal?.interval)}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </ScrollTable>
                </>
              )}
              <ItemsBrowser runId={data.id} live={isActive(data)} columns={safetyColumns} />
            </Stack>
          );
        }}
      </QueryState>
    </Card>
  );
}
