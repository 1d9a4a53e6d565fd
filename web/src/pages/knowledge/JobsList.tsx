import { Button, Card, Group, Progress, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { formatInteger, formatTime } from "../../app/format";
import { ErrorAlert } from "../../components/QueryState";
import { knowledgeBasePath, knowledgeKeys, useJobs } from "./queries";
import { StatusBadge } from "./StatusText";
import { isActiveJob, type KnowledgeJob } from "./types";

const kindUnit = (kind: string) => (kind === "knowledge.reindex" ? "documents re-indexed" : "documents done");

function JobRow({ reference, job }: { reference: string; job: KnowledgeJob }) {
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => api<KnowledgeJob>(`${knowledgeBasePath(reference)}/jobs/${encodeURIComponent(job.id)}/cancel`, { method: "POST" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(reference) }),
  });
  const { done, total } = job.progress;
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
  const what = job.kind === "knowledge.reindex" ? "Re-index" : "Upload";
  return (
    <Stack gap={4} data-testid={`job-${job.id}`}>
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <StatusBadge status={job.status} testId="job-status" />
          <Text size="sm" data-testid="job-progress">
            {formatInteger(done)} / {formatInteger(total)} {kindUnit(job.kind)}
          </Text>
          <Text size="xs" c="dimmed">
            started {formatTime(job.started_at ?? job.created_at)}
          </Text>
        </Group>
        {isActiveJob(job) ? (
          <Button size="compact-sm" variant="default" color="red" loading={cancel.isPending} onClick={() => cancel.mutate()}>
            Cancel {what.toLowerCase()} job
          </Button>
        ) : null}
      </Group>
      <Progress.Root size="md">
        <Progress.Section value={percent} aria-label={`${what} job progress`} color={job.status === "failed" ? "red" : job.status === "cancelled" ? "yellow" : undefined} />
      </Progress.Root>
      {job.error ? (
        <Text size="xs" c="red.8">
          {job.error}
        </Text>
      ) : null}
      <ErrorAlert error={cancel.error} />
    </Stack>
  );
}

/**
 * The knowledge base's jobs of one kind that are queued or running (polled, so progress shows after leaving the page
 * and coming back), plus the newest finished one when `showLatest`.
 */
export function JobsList({ reference, kind, title, showLatest = false }: { reference: string; kind: string; title: string; showLatest?: boolean }) {
  const jobs = useJobs(reference);
  const ofKind = (jobs.data?.data ?? []).filter((job) => job.kind === kind);
  const shown = ofKind.filter(isActiveJob);
  const latest = ofKind[0];
  if (showLatest && latest && !isActiveJob(latest)) shown.push(latest);
  if (jobs.error) return <ErrorAlert error={jobs.error} title="Could not load the jobs" />;
  if (shown.length === 0) return null;
  return (
    <Card withBorder padding="sm" component="section" aria-label={title}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      <Stack>
        {shown.map((job) => (
          <JobRow key={job.id} reference={reference} job={job} />
        ))}
      </Stack>
    </Card>
  );
}
