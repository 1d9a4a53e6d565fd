import { Alert, Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { formatDollars, formatInteger, formatTime } from "../../app/format";
import { useMe } from "../../app/session";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import type { Run, RunSteps } from "./agent-types";
import { AnchorLink } from "./AnchorLink";
import { AgentsLayout } from "./AgentsLayout";
import { InlineCode } from "./InlineCode";
import { RunStepItem } from "./RunStepItem";
import { isRunEnded, RunStatusBadge } from "./RunStatusBadge";

/** How often a live run is read again. */
const livePollMs = 1000;
const stepsPageSize = 50;

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" fw={600}>
        {label}
      </Text>
      <Text size="sm" data-testid={testId} style={{ overflowWrap: "anywhere" }}>
        {value}
      </Text>
    </Stack>
  );
}

function RunSummary({ run }: { run: Run }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => api<Run>(`/v1/runs/${encodeURIComponent(run.id)}/cancel`, { method: "POST" }),
    onSuccess: async (cancelled) => {
      queryClient.setQueryData(["runs", "detail", run.id], cancelled);
      await queryClient.invalidateQueries({ queryKey: ["runs"] });
    },
  });
  const ended = isRunEnded(run.status);
  return (
    <Card withBorder component="section" aria-labelledby="summary-heading">
      <Stack>
        <Group justify="space-between">
          <Group gap="sm">
            <Title order={2} size="h4" id="summary-heading">
              State
            </Title>
            <RunStatusBadge state={run.status} testId="run-state" />
            {!ended ? (
              <Text size="xs" c="dimmed">
                Updating live
              </Text>
            ) : null}
          </Group>
          {!ended ? (
            <Button variant="default" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              Cancel run
            </Button>
          ) : null}
        </Group>
        <ErrorAlert error={cancel.error} title="The run was not cancelled" />
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
          <Fact label="Agent" value={run.agent ? `${run.agent.name ?? run.agent.id} (version ${run.agent.version})` : "—"} />
          <Fact label="Model" value={run.model} />
          {me.is_admin ? <Fact label="Key" value={run.key_name ?? run.key_id} /> : null}
          <Fact label="Steps" value={`${formatInteger(run.steps)} (${formatInteger(run.model_calls)} model, ${formatInteger(run.tool_calls)} tool)`} testId="run-steps" />
          <Fact label="Input tokens" value={formatInteger(run.usage.input_tokens)} testId="run-input-tokens" />
          <Fact label="Output tokens" value={formatInteger(run.usage.output_tokens)} testId="run-output-tokens" />
          <Fact label="Total tokens" value={formatInteger(run.usage.total_tokens)} testId="run-total-tokens" />
          <Fact
            label="Cost"
            value={run.nested_model_calls > 0 ? `${formatDollars(run.cost_usd)} (${formatDollars(run.nested_cost_usd)} in ${formatInteger(run.nested_model_calls)} nested calls)` : formatDollars(run.cost_usd)}
            testId="run-cost"
          />
          <Fact label="Pending approvals" value={formatInteger(run.pending_approvals)} />
          <Fact label="Started" value={formatTime(run.created_at)} />
          <Fact label="Ended" value={formatTime(run.ended_at)} />
        </SimpleGrid>
        {run.incomplete_reason ? (
          <Text size="sm" role="status" fw={600}>
            The run stopped at a limit: {run.incomplete_reason}.
          </Text>
        ) : null}
        {run.error ? (
          <Alert color="red" title="The run failed" role="alert">
            {run.error.message} ({run.error.code})
          </Alert>
        ) : null}
      </Stack>
    </Card>
  );
}

/** The run's steps with their content, a page at a time; read again while the run is live. */
function RunTrace({ run }: { run: Run }) {
  const [cursors, setCursors] = useState<number[]>([]);
  const after = cursors.at(-1);
  const ended = isRunEnded(run.status);
  const steps = useQuery({
    queryKey: ["runs", "steps", run.id, after ?? null],
    queryFn: () => api<RunSteps>(`/v1/runs/${encodeURIComponent(run.id)}/steps`, { query: { after, limit: stepsPageSize } }),
    refetchInterval: ended ? false : livePollMs,
  });
  // The summary saw a new state or step count: read the steps again at once (also the last time, when the run ends),
  // joining a read already under way rather than aborting it.
  const { refetch } = steps;
  useEffect(() => {
    void refetch({ cancelRefetch: false });
  }, [run.status, run.steps, run.pending_approvals, refetch]);
  return (
    <Card withBorder component="section" aria-labelledby="trace-heading">
      <Title order={2} size="h4" id="trace-heading" mb="xs">
        Trace
      </Title>
      <QueryState query={steps} label="the steps">
        {(page) => (
          <Stack>
            {page.data.length === 0 ? <Text size="sm">{ended ? "The run logged no steps." : "No step yet: the run is starting."}</Text> : null}
            <Stack component="ol" gap="sm" style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label="Steps">
              {page.data.map((step) => (
                <RunStepItem key={step.index} step={step} />
              ))}
            </Stack>
            {cursors.length > 0 || page.has_more ? (
              <Group>
                <Button size="xs" variant="default" disabled={cursors.length === 0} onClick={() => setCursors((current) => current.slice(0, -1))}>
                  Earlier steps
                </Button>
                <Button size="xs" variant="default" disabled={!page.has_more || page.last_id === null} onClick={() => page.last_id !== null && setCursors((current) => [...current, page.last_id!])}>
                  Later steps
                </Button>
              </Group>
            ) : null}
          </Stack>
        )}
      </QueryState>
    </Card>
  );
}

/** One run: its state, tokens and cost (the ledger's), and a live trace of its steps; cancel while it runs. */
export function RunPage() {
  const { runId } = useParams({ from: "/agents/runs/$runId" });
  const run = useQuery({
    queryKey: ["runs", "detail", runId],
    queryFn: () => api<Run>(`/v1/runs/${encodeURIComponent(runId)}`),
    refetchInterval: (query) => (query.state.data && isRunEnded(query.state.data.status) ? false : livePollMs),
  });
  return (
    <AgentsLayout>
      <Stack gap={4}>
        <Title order={1}>Run</Title>
        <Group gap="xs">
          <InlineCode>{runId}</InlineCode>
          {run.data?.agent ? (
            <AnchorLink to="/agents/$agentId/versions/$version" params={{ agentId: run.data.agent.id, version: String(run.data.agent.version) }} size="sm">
              {run.data.agent.name ?? run.data.agent.id} version {run.data.agent.version}
            </AnchorLink>
          ) : null}
        </Group>
      </Stack>
      <QueryState query={run} label="the run">
        {(data) => (
          <Stack>
            <RunSummary run={data} />
            <RunTrace run={data} />
          </Stack>
        )}
      </QueryState>
    </AgentsLayout>
  );
}
