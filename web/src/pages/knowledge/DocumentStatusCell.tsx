import { Group, Progress, Stack, Text } from "@mantine/core";
import { formatInteger } from "../../app/format";
import { StatusBadge } from "./StatusText";
import type { KnowledgeDocument } from "./types";

/** What a stage means, in words. */
function stageDescription(document: KnowledgeDocument): string | undefined {
  switch (document.stage) {
    case "queued":
      return "waiting for its job";
    case "parsing":
      return "reading and chunking the text";
    case "embedding":
      return document.progress ? `${formatInteger(document.progress.done)} / ${formatInteger(document.progress.total)} chunks embedded` : "embedding";
    case "storing":
      return "writing to the index";
    case "ready":
    case "failed":
    case "cancelled":
      return undefined;
    default:
      return document.stage satisfies never;
  }
}

/** A document's stage as a word, its chunk progress while embedding, and a failure's reason. */
export function DocumentStatusCell({ document }: { document: KnowledgeDocument }) {
  const description = stageDescription(document);
  const percent = document.progress && document.progress.total > 0 ? Math.round((document.progress.done / document.progress.total) * 100) : 0;
  return (
    <Stack gap={4} data-testid="document-status">
      <Group gap="xs" wrap="nowrap">
        <StatusBadge status={document.stage} />
        {description ? <Text size="xs">{description}</Text> : null}
      </Group>
      {document.status === "processing" ? (
        <Progress.Root size="sm" aria-hidden={document.stage !== "embedding"}>
          <Progress.Section value={document.stage === "embedding" ? percent : document.stage === "storing" ? 100 : 0} aria-label={`Progress of ${document.name}`} />
        </Progress.Root>
      ) : null}
      {document.error ? (
        <Text size="xs" c="red.8" data-testid="document-error">
          Reason: {document.error}
        </Text>
      ) : null}
    </Stack>
  );
}
