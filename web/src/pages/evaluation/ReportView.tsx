import { Button, Card, ColorSwatch, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api, apiUrl } from "../../api/client";
import { formatInteger, formatTime } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import { formatInterval, formatPercent } from "./evalFormat";
import type { EvalReport } from "./evalTypes";
import { RadarChart } from "./RadarChart";
import { ScrollTable } from "./ScrollTable";

const seriesColors = ["var(--mantine-color-indigo-6)", "var(--mantine-color-teal-6)", "var(--mantine-color-orange-6)", "var(--mantine-color-grape-6)", "var(--mantine-color-red-6)", "var(--mantine-color-cyan-6)"];

/** A report over finished runs (`GET /v1/evals/report`): a radar chart by dimension, the scores, an HTML download. */
export function ReportView({ runIds }: { runIds: string[] }) {
  const runs = runIds.join(",");
  const report = useQuery({ queryKey: ["eval-report", runs], queryFn: ({ signal }) => api<EvalReport>("/v1/evals/report", { query: { runs }, signal }) });
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="report-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="report-title">
          Report by dimension
        </Title>
        <Button component="a" href={apiUrl("/v1/evals/report", { runs, format: "html" })} download="aiplus-eval-report.html" variant="default" size="xs">
          Download HTML report
        </Button>
      </Group>
      <QueryState query={report} label="the report">
        {(data) => (
          <Stack>
            <Text size="sm" c="dimmed">
              {formatInteger(data.runs.length)} runs · generated {formatTime(data.generated_at)} · a dimension's score is the mean of its tasks' primary metrics
            </Text>
            <Group align="flex-start" wrap="wrap" gap="xl">
              <div style={{ flex: "1 1 300px", maxWidth: 460 }}>
                <RadarChart
                  title={`Score by dimension: ${data.models.map((model) => model.model).join(", ")}`}
                  axes={data.dimensions}
                  series={data.models.map((model, index) => ({
                    name: model.model,
                    color: seriesColors[index % seriesColors.length]!,
                    values: data.dimensions.map((dimension) => model.dimensions.find((entry) => entry.dimension === dimension)?.score ?? null),
                  }))}
                />
                <Group gap="md" mt="xs">
                  {data.models.map((model, index) => (
                    <Group key={model.model} gap={6}>
                      <ColorSwatch color={seriesColors[index % seriesColors.length]!} size={14} aria-hidden="true" />
                      <Text size="sm">{model.model}</Text>
                    </Group>
                  ))}
                </Group>
              </div>
              <ScrollTable minWidth={360} label="Scores by dimension" style={{ flex: "1 1 320px" }}>
                <Table data-testid="dimension-table">
                  <Table.Caption>Score by dimension (percent); not evaluated when no run covers it.</Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Model</Table.Th>
                      {data.dimensions.map((dimension) => (
                        <Table.Th key={dimension}>{dimension}</Table.Th>
                      ))}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.models.map((model) => (
                      <Table.Tr key={model.model}>
                        <Table.Td>{model.model}</Table.Td>
                        {model.dimensions.map((entry) => (
                          <Table.Td key={entry.dimension} data-testid={`dimension-${model.model}-${entry.dimension}`}>
                            {entry.score === null ? "not evaluated" : formatPercent(entry.score)}
                          </Table.Td>
                        ))}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollTable>
            </Group>
            <ScrollTable minWidth={560} label="Task results">
              <Table>
                <Table.Caption>The task results the scores are made of (the newest run per model and task).</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Model</Table.Th>
                    <Table.Th>Task</Table.Th>
                    <Table.Th>Dimension</Table.Th>
                    <Table.Th>Metric</Table.Th>
                    <Table.Th>Value</Table.Th>
                    <Table.Th>95% interval</Table.Th>
                    <Table.Th>Items</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.models.flatMap((model) =>
                    model.tasks.map((task) => (
                      <Table.Tr key={`${model.model}/${task.task}`}>
                        <Table.Td>{model.model}</Table.Td>
                        <Table.Td>{task.task}</Table.Td>
                        <Table.Td>{task.dimension}</Table.Td>
                        <Table.Td>{task.primary_metric}</Table.Td>
                        <Table.Td>{formatPercent(task.value)}</Table.Td>
                        <Table.Td>{formatInterval(task.interval)}</Table.Td>
                        <Table.Td>{formatInteger(task.count)}</Table.Td>
                      </Table.Tr>
                    )),
                  )}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          </Stack>
        )}
      </QueryState>
    </Card>
  );
}
