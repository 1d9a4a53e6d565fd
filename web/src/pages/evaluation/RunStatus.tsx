import { Badge, Group, Progress, Text } from "@mantine/core";
import { formatInteger } from "../../app/format";
import type { EvalRun, EvalRunStatus } from "./evalTypes";

function statusColor(status: EvalRunStatus): string {
  switch (status) {
    case "pending":
      return "gray";
    case "running":
      return "blue";
    case "completed":
      return "green";
    case "failed":
      return "red";
    case "cancelled":
      return "yellow";
    case "interrupted":
      return "orange";
    default:
      return status satisfies never;
  }
}

/** The status as text (the colour only repeats it). */
export function RunStatusBadge({ status }: { status: EvalRunStatus }) {
  return (
    <Badge color={statusColor(status)} variant="filled" autoContrast data-testid="run-status">
      {status}
    </Badge>
  );
}

/** Items done of the run's total, as a bar and as numbers. */
export function RunProgress({ run }: { run: EvalRun }) {
  const { done, total } = run.progress;
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <div>
      <Group justify="space-between" mb={4}>
        <RunStatusBadge status={run.status} />
        <Text size="sm" data-testid="run-progress">
          {formatInteger(done)} / {formatInteger(total)} items
        </Text>
      </Group>
      <Progress.Root size="lg">
        <Progress.Section value={percent} aria-label={`Progress of run ${run.id}`} color={run.status === "failed" ? "red" : undefined} />
      </Progress.Root>
    </div>
  );
}
