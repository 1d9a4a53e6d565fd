import { Card, Group, NativeSelect, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { formatInteger } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import { formatPercent, formatPoints } from "./evalFormat";
import { useEvalRun } from "./evalQueries";
import type { EvalComparison } from "./evalTypes";

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

/** A paired comparison of two runs of one task (`GET /v1/evals/compare`): b − a over the items both scored. */
export function CompareRuns({ a, b }: { a: string; b: string }) {
  const runA = useEvalRun(a);
  const runB = useEvalRun(b);
  const [metric, setMetric] = useState("");
  const comparison = useQuery({
    queryKey: ["eval-compare", a, b, metric],
    queryFn: ({ signal }) => api<EvalComparison>("/v1/evals/compare", { query: { a, b, metric: metric || undefined }, signal }),
    enabled: runA.data !== undefined && runB.data !== undefined,
  });
  const metricNames = runA.data?.metrics.map((entry) => entry.name) ?? [];
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="compare-title">
      <Title order={2} size="h4" id="compare-title" mb="sm">
        Compare runs
      </Title>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {[
            { label: "Run a", query: runA },
            { label: "Run b", query: runB },
          ].map(({ label, query }) => (
            <QueryState key={label} query={query} label={label}>
              {(run) => (
                <div>
                  <Text size="sm" fw={600}>
                    {label}: {run.task} on {run.model}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {run.id} · {run.primary_metric} {formatPercent(run.accuracy?.value)} · {formatInteger(run.progress.done)} items
                  </Text>
                </div>
              )}
            </QueryState>
          ))}
        </SimpleGrid>
        {metricNames.length > 0 ? (
          <NativeSelect
            label="Metric"
            value={metric}
            onChange={(event) => setMetric(event.currentTarget.value)}
            data={[{ value: "", label: `Primary (${runA.data?.primary_metric ?? ""})` }, ...metricNames.map((name) => ({ value: name, label: name }))]}
            maw={360}
          />
        ) : null}
        <QueryState query={comparison} label="the comparison">
          {(result) => {
            const significant = result.interval !== null && (result.interval[0] > 0 || result.interval[1] < 0);
            return (
              <Stack gap="xs">
                <Text size="sm">
                  {result.task}, {result.metric}: b − a = <span data-testid="compare-difference">{formatPoints(result.difference)}</span> points over {formatInteger(result.count)} paired items.
                </Text>
                <Group gap="xl">
                  <Figure label="Standard error (points)" value={result.standard_error === null ? "—" : (result.standard_error * 100).toFixed(2)} testId="compare-standard-error" />
                  <Figure label="95% interval (points)" value={result.interval ? `[${formatPoints(result.interval[0])}, ${formatPoints(result.interval[1])}]` : "—"} testId="compare-interval" />
                  <Figure label="Paired items" value={formatInteger(result.count)} testId="compare-count" />
                  <Figure label="Items in one run only" value={formatInteger(result.unmatched)} testId="compare-unmatched" />
                </Group>
                <Text size="sm" fw={600} data-testid="compare-verdict">
                  {result.interval === null ? "Too few paired items for an interval." : significant ? "The difference is significant (the interval excludes 0)." : "The difference is not significant (the interval includes 0)."}
                </Text>
              </Stack>
            );
          }}
        </QueryState>
      </Stack>
    </Card>
  );
}
