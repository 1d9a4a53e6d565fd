import { Button, Text } from "@mantine/core";
import type { Citation } from "./types";

export function citationLocation(citation: Citation): string {
  return [citation.page !== null ? `page ${citation.page}` : undefined, citation.heading ?? undefined].filter(Boolean).join(", ");
}

/** The answer's numbered sources; each opens the cited document and passage. */
export function CitationList({ citations, onOpen }: { citations: Citation[]; onOpen: (citation: Citation) => void }) {
  if (citations.length === 0) return null;
  return (
    <nav aria-label="Sources">
      <Text size="sm" fw={600} mb={4}>
        Sources
      </Text>
      <ol style={{ display: "flex", flexWrap: "wrap", gap: "var(--mantine-spacing-xs)", listStyle: "none", padding: 0, margin: 0 }}>
        {citations.map((citation) => (
          <li key={citation.marker}>
            <Button variant="light" size="compact-sm" onClick={() => onOpen(citation)}>
              [{citation.marker}] {citation.document}
              {citationLocation(citation) ? ` · ${citationLocation(citation)}` : ""}
            </Button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
