import { Blockquote, Drawer, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import { QueryState } from "../../components/QueryState";
import type { Citation, DocumentWithPassage } from "./types";

function documentPath(citation: Citation, knowledgeBase: string): string {
  return `/v1/knowledge-bases/${encodeURIComponent(knowledgeBase)}/documents/${encodeURIComponent(citation.document_id)}`;
}

function PassageDetails({ citation, knowledgeBase }: { citation: Citation; knowledgeBase: string }) {
  const document = useQuery({
    queryKey: ["playground", "passage", knowledgeBase, citation.document_id, citation.start, citation.end],
    queryFn: ({ signal }) =>
      api<DocumentWithPassage>(documentPath(citation, knowledgeBase), { query: { passage_start: citation.start, passage_end: citation.end }, signal }),
  });
  return (
    <QueryState query={document} label="the cited passage">
      {(shown) => (
        <Stack gap="sm">
          <Table variant="vertical" withTableBorder>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={120}>Document</Table.Th>
                <Table.Td data-testid="citation-document">{shown.name}</Table.Td>
              </Table.Tr>
              {shown.title ? (
                <Table.Tr>
                  <Table.Th>Title</Table.Th>
                  <Table.Td>{shown.title}</Table.Td>
                </Table.Tr>
              ) : null}
              <Table.Tr>
                <Table.Th>Knowledge base</Table.Th>
                <Table.Td>{knowledgeBase}</Table.Td>
              </Table.Tr>
              {citation.page !== null ? (
                <Table.Tr>
                  <Table.Th>Page</Table.Th>
                  <Table.Td>{citation.page}</Table.Td>
                </Table.Tr>
              ) : null}
              {citation.heading ? (
                <Table.Tr>
                  <Table.Th>Heading</Table.Th>
                  <Table.Td data-testid="citation-heading">{citation.heading}</Table.Td>
                </Table.Tr>
              ) : null}
              <Table.Tr>
                <Table.Th>Characters</Table.Th>
                <Table.Td>
                  {shown.passage.start}–{shown.passage.end}
                  {shown.character_count !== null ? ` of ${shown.character_count}` : ""}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Score</Table.Th>
                <Table.Td>{citation.score.toFixed(3)}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
          <Text fw={600} size="sm">
            Passage
          </Text>
          <Blockquote p="sm" data-testid="citation-passage" style={{ whiteSpace: "pre-wrap" }}>
            {shown.passage.text}
          </Blockquote>
        </Stack>
      )}
    </QueryState>
  );
}

/** The cited document and the whole passage (the knowledge base's document API), for a clicked source number. */
export function CitationDrawer({ citation, fallbackKnowledgeBase, onClose }: { citation: Citation | null; fallbackKnowledgeBase: string | undefined; onClose: () => void }) {
  const knowledgeBase = citation?.knowledge_base ?? fallbackKnowledgeBase;
  return (
    <Drawer closeButtonProps={{ "aria-label": "Close" }} opened={citation !== null} onClose={onClose} position="right" size="lg" title={citation ? `Source [${citation.marker}]: ${citation.document}` : "Source"}>
      {citation && knowledgeBase ? (
        <PassageDetails citation={citation} knowledgeBase={knowledgeBase} />
      ) : citation ? (
        <Text size="sm">The answer did not say which knowledge base this source is from; its snippet: {citation.snippet}</Text>
      ) : null}
    </Drawer>
  );
}
