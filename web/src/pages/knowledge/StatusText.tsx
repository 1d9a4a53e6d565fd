import { Badge } from "@mantine/core";
import type { DocumentStage, JobStatus, KnowledgeBaseStatus } from "./types";

/** Dark shades, so white text on them passes WCAG AA (yellow gets dark text through `autoContrast`). */
function stageColor(stage: DocumentStage | KnowledgeBaseStatus | JobStatus): string {
  switch (stage) {
    case "ready":
    case "completed":
      return "#2b7a3b"; // green.9 (#2b8a3e) is 4.4:1 with white, this 5.3:1
    case "queued":
      return "gray.7";
    case "parsing":
    case "embedding":
    case "storing":
    case "running":
    case "reindexing":
      return "blue.8";
    case "failed":
    case "unusable":
      return "red.9";
    case "cancelled":
      return "yellow.6";
    default:
      return stage satisfies never;
  }
}

/** A status or stage as a word; the colour only repeats it. */
export function StatusBadge({ status, testId }: { status: DocumentStage | KnowledgeBaseStatus | JobStatus; testId?: string }) {
  return (
    <Badge color={stageColor(status)} variant="filled" autoContrast data-testid={testId}>
      {status}
    </Badge>
  );
}
