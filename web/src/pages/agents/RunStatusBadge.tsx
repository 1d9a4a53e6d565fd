import { Badge } from "@mantine/core";
import type { RunState } from "./agent-types";

const labels: Record<RunState, string> = {
  queued: "Queued",
  running: "Running",
  awaiting_approval: "Awaiting approval",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
  incomplete: "Incomplete",
};

const colors: Record<RunState, string> = {
  queued: "gray",
  running: "blue",
  awaiting_approval: "yellow",
  completed: "green",
  failed: "red",
  cancelled: "gray",
  incomplete: "orange",
};

export function runStateLabel(state: RunState): string {
  return labels[state];
}

export function isRunEnded(state: RunState): boolean {
  return state === "completed" || state === "failed" || state === "cancelled" || state === "incomplete";
}

/** A run's state as text (the colour only repeats it). */
export function RunStatusBadge({ state, testId }: { state: RunState; testId?: string | undefined }) {
  return (
    <Badge color={colors[state]} variant="dot" data-testid={testId}>
      {labels[state]}
    </Badge>
  );
}
