import { Alert, Button, Card, Group, Progress, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api } from "../../api/client";
import type { List } from "../../api/types";
import { formatBytes, formatInteger, formatTime } from "../../app/format";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import { durationText } from "./model-figures";
import { modelsQueryKey, type PullStatus, type PullView, pullsQueryKey } from "./types";

const statusText: Record<PullStatus, string> = { queued: "Queued", running: "Downloading", completed: "Completed", failed: "Failed", cancelled: "Cancelled" };
const statusColor: Record<PullStatus, string> = { queued: "gray", running: "blue", completed: "green", failed: "red", cancelled: "gray" };
const isActive = (pull: PullView) => pull.status === "queued" || pull.status === "running";

function PullCard({ pull }: { pull: PullView }) {
  const queryClient = useQueryClient();
  const action = useMutation({
    mutationFn: (kind: "cancel" | "retry") => api<PullView>(`/v1/admin/model-pulls/${encodeURIComponent(pull.id)}/${kind}`, { method: "POST" }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: pullsQueryKey }),
  });
  const percent = pull.bytes_total ? Math.min(100, (pull.bytes_done / pull.bytes_total) * 100) : undefined;
  const canCancel = pull.status === "queued" || pull.status === "running" || pull.status === "failed";
  const canRetry = pull.status === "failed" || pull.status === "cancelled";
  return (
    <Card withBorder padding="sm" component="article" aria-label={`Pull of ${pull.name}`} data-testid={`pull-${pull.name}`}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text fw={600}>{pull.name}</Text>
          <Text size="sm" fw={600} data-testid="pull-status">
            {statusText[pull.status]}
          </Text>
        </Group>
        <Text size="xs" c="dimmed" style={{ wordBreak: "break-all" }}>
          {pull.source}
        </Text>
        {pull.status !== "cancelled" ? (
          <Progress value={pull.status === "completed" ? 100 : (percent ?? 0)} color={statusColor[pull.status]} animated={pull.status === "running"} aria-label={`Download of ${pull.name}`} />
        ) : null}
        <Text size="sm" data-testid="pull-progress">
          {formatBytes(pull.bytes_done)} of {pull.bytes_total === null ? "unknown size" : formatBytes(pull.bytes_total)}
          {percent !== undefined ? ` (${Math.floor(percent)}%)` : ""}
        </Text>
        <Text size="xs" c="dimmed" data-testid="pull-bytes">
          {formatInteger(pull.bytes_done)} of {pull.bytes_total === null ? "?" : formatInteger(pull.bytes_total)} bytes
          {pull.resumed_from > 0 ? `, resumed from byte ${formatInteger(pull.resumed_from)}` : ""}
        </Text>
        {pull.status === "running" ? (
          <Text size="sm" data-testid="pull-rate">
            {pull.rate_bytes_per_second === null ? "Measuring the rate…" : `${formatBytes(pull.rate_bytes_per_second)}/s`}
            {pull.eta_seconds === null ? "" : ` · about ${durationText(pull.eta_seconds)} left`}
          </Text>
        ) : null}
        {pull.status === "completed" ? (
          <Text size="sm">
            Registered as {pull.model} on {formatTime(pull.finished_at)}; sha256 {pull.verified_against ? `verified against the ${pull.verified_against === "option" ? "expected value" : "server's"}` : "recorded"}.
          </Text>
        ) : null}
        {pull.error ? (
          <Alert color="red" p="xs" title={`Failed (${pull.error.code})`} role="alert">
            <Text size="sm" data-testid="pull-error" style={{ wordBreak: "break-word" }}>
              {pull.error.message}
            </Text>
          </Alert>
        ) : null}
        <ErrorAlert error={action.error} title="The action failed" />
        {canCancel || canRetry ? (
          <Group gap="xs">
            {canRetry ? (
              <Button size="xs" variant="default" loading={action.isPending && action.variables === "retry"} onClick={() => action.mutate("retry")} aria-label={`Retry the pull of ${pull.name}`}>
                Retry
              </Button>
            ) : null}
            {canCancel ? (
              <Button size="xs" color="red" variant="light" loading={action.isPending && action.variables === "cancel"} onClick={() => action.mutate("cancel")} aria-label={`${pull.status === "failed" ? "Discard" : "Cancel"} the pull of ${pull.name}`}>
                {pull.status === "failed" ? "Discard" : "Cancel"}
              </Button>
            ) : null}
          </Group>
        ) : null}
      </Stack>
    </Card>
  );
}

/**
 * The latest pulls, polled every second while one is queued or running, so progress shows again after leaving the
 * page. A pull that completes refreshes the registry.
 */
export function PullsList() {
  const queryClient = useQueryClient();
  const pulls = useQuery({
    queryKey: pullsQueryKey,
    queryFn: ({ signal }) => api<List<PullView>>("/v1/admin/model-pulls", { query: { limit: 20 }, signal }),
    refetchInterval: (query) => (query.state.data?.data.some(isActive) ? 1000 : 10_000),
  });
  const completed = pulls.data?.data.filter((pull) => pull.status === "completed").length ?? 0;
  const seen = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (seen.current !== undefined && completed !== seen.current) void queryClient.invalidateQueries({ queryKey: modelsQueryKey });
    seen.current = completed;
  }, [completed, queryClient]);
  return (
    <QueryState query={pulls} label="the pulls">
      {(list) =>
        list.data.length === 0 ? (
          <Text size="sm">No pull yet.</Text>
        ) : (
          <Stack gap="xs">
            {list.data.map((pull) => (
              <PullCard key={pull.id} pull={pull} />
            ))}
          </Stack>
        )
      }
    </QueryState>
  );
}
