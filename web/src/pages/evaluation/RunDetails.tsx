import { Alert, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api } from "../../api/client";
import { formatTime } from "../../app/format";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import { promptText, summarizeValue } from "./evalFormat";
import { evalQueryKeys, useEvalRun } from "./evalQueries";
import { type EvalItem, type EvalRun, isActive } from "./evalTypes";
import { type ItemColumn, ItemsBrowser } from "./ItemsBrowser";
import { MetricsTable } from "./MetricsTable";
import { RunProgress } from "./RunStatus";

/** Invalidates the run lists once a run finishes, so its row shows the final score without a reload. */
export function useRefreshListsWhenFinished(run: EvalRun | undefined) {
  const queryClient = useQueryClient();
  const finished = run !== undefined && !isActive(run);
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: evalQueryKeys.runs });
  }, [finished, queryClient]);
}

/** Cancels a pending or running run (finished items and their metrics are kept). */
export function CancelRunButton({ run }: { run: EvalRun }) {
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => api<EvalRun>(`/v1/evals/${encodeURIComponent(run.id)}/cancel`, { method: "POST" }),
    onSuccess: (updated) => {
      queryClient.setQueryData(evalQueryKeys.run(run.id), updated);
      void queryClient.invalidateQueries({ queryKey: evalQueryKeys.runs });
    },
  });
  if (!isActive(run)) return null;
  return (
    <Stack gap="xs">
      <Button variant="default" color="red" size="xs" loading={cancel.isPending} onClick={() => cancel.mutate()}>
        Cancel run
      </Button>
      <ErrorAlert error={cancel.error} title="Could not cancel the run" />
    </Stack>
  );
}

function itemColumns(primaryMetric: string): ItemColumn[] {
  const score = (item: EvalItem) => item.metrics[primaryMetric];
  return [
    { header: "Item", cell: (item) => item.item_id },
    { header: "Prompt", cell: (item) => <Text size="sm" lineClamp={3}>{promptText(item.prompt)}</Text> },
    { header: "Prediction", cell: (item) => summarizeValue(item.prediction, 80) },
    { header: "Reference", cell: (item) => summarizeValue(item.reference, 80) },
    { header: primaryMetric, cell: (item) => (score(item) === undefined ? "—" : String(Number(score(item)!.toFixed(4)))) },
  ];
}

/** One run: live progress (polled), its metrics with intervals, and its items. */
export function RunDetails({ runId }: { runId: string }) {
  const run = useEvalRun(runId);
  useRefreshListsWhenFinished(run.data);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="run-details-title">
      <QueryState query={run} label="the run">
        {(data) => (
          <Stack>
            <Group justify="space-between" align="flex-start">
              <div>
                <Title order={2} size="h4" id="run-details-title">
                  Run {data.task} on {data.model}
                </Title>
                <Text size="sm" c="dimmed">
                  {data.id} · {data.tags.dimension} · started {formatTime(data.created_at)}
                  {data.finished_at ? ` · finished ${formatTime(data.finished_at)}` : ""}
                  {data.judge_model ? ` · judge ${data.judge_model}` : ""}
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
            <MetricsTable metrics={data.metrics} primary={data.primary_metric} caption="Mean ± standard error with a bootstrap 95% interval, in percent." />
            <ItemsBrowser runId={data.id} live={isActive(data)} columns={itemColumns(data.primary_metric)} />
          </Stack>
        )}
      </QueryState>
    </Card>
  );
}
