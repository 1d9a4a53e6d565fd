import { ActionIcon, Card, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api } from "../../api/client";
import { formatDate, formatInteger } from "../../app/format";
import { useMe } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { AnchorLink } from "./AnchorLink";
import { ConfirmDelete } from "./ConfirmDelete";
import { CreateKnowledgeBaseForm } from "./CreateKnowledgeBaseForm";
import { knowledgeBasePath, knowledgeKeys, useKnowledgeBases } from "./queries";
import { StatusBadge } from "./StatusText";
import type { KnowledgeBase } from "./types";

function plural(count: number, noun: string): string {
  return `${formatInteger(count)} ${noun}${count === 1 ? "" : "s"}`;
}

/** The URL reference of a knowledge base: its name, or its id when another listed one has the same name. */
export function referenceOf(knowledgeBase: KnowledgeBase, all: KnowledgeBase[]): string {
  return all.filter((other) => other.name === knowledgeBase.name).length > 1 ? knowledgeBase.id : knowledgeBase.name;
}

function KnowledgeBaseTable({ knowledgeBases }: { knowledgeBases: KnowledgeBase[] }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const [doomed, setDoomed] = useState<KnowledgeBase | undefined>();
  const remove = useMutation({
    mutationFn: (knowledgeBase: KnowledgeBase) => api(knowledgeBasePath(knowledgeBase.id), { method: "DELETE" }),
    onSuccess: async () => {
      setDoomed(undefined);
      await queryClient.invalidateQueries({ queryKey: knowledgeKeys.all });
    },
  });
  if (knowledgeBases.length === 0) return <Text size="sm">No knowledge base yet: create one below, or ask an admin to grant you one.</Text>;
  return (
    <>
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Embedding model</Table.Th>
              <Table.Th ta="right">Documents</Table.Th>
              <Table.Th ta="right">Chunks</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {knowledgeBases.map((knowledgeBase) => {
              const manages = me.is_admin || knowledgeBase.owner === me.id;
              return (
                <Table.Tr key={knowledgeBase.id} data-testid={`knowledge-base-${knowledgeBase.name}`}>
                  <Table.Td>
                    <AnchorLink to="/knowledge/$name" params={{ name: referenceOf(knowledgeBase, knowledgeBases) }}>
                      {knowledgeBase.name}
                    </AnchorLink>
                    {manages ? null : (
                      <Text size="xs" c="dimmed">
                        granted to you
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={knowledgeBase.status} />
                  </Table.Td>
                  <Table.Td>{knowledgeBase.embedding_model ?? "—"}</Table.Td>
                  <Table.Td ta="right">{formatInteger(knowledgeBase.document_count)}</Table.Td>
                  <Table.Td ta="right">{formatInteger(knowledgeBase.chunk_count)}</Table.Td>
                  <Table.Td>{formatDate(knowledgeBase.created_at)}</Table.Td>
                  <Table.Td>
                    {manages ? (
                      <ActionIcon variant="subtle" color="red" aria-label={`Delete knowledge base ${knowledgeBase.name}`} onClick={() => setDoomed(knowledgeBase)}>
                        <span aria-hidden="true">✕</span>
                      </ActionIcon>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ConfirmDelete
        title="Delete knowledge base"
        opened={doomed !== undefined}
        onClose={() => {
          setDoomed(undefined);
          remove.reset();
        }}
        onConfirm={() => doomed && remove.mutate(doomed)}
        pending={remove.isPending}
        error={remove.error}
      >
        Delete {doomed?.name} with its {plural(doomed?.document_count ?? 0, "document")} and {plural(doomed?.chunk_count ?? 0, "chunk")}? This cannot be undone.
      </ConfirmDelete>
    </>
  );
}

/** Screen 7: the knowledge bases this key owns or was granted (an admin: all of them), and creating one. */
export function KnowledgeListPage() {
  const knowledgeBases = useKnowledgeBases();
  const navigate = useNavigate();
  return (
    <Stack>
      <Title order={1}>Knowledge bases</Title>
      <Card withBorder component="section" aria-label="Your knowledge bases">
        <QueryState query={knowledgeBases} label="knowledge bases">
          {(list) => <KnowledgeBaseTable knowledgeBases={list.data} />}
        </QueryState>
      </Card>
      <CreateKnowledgeBaseForm onCreated={(created) => void navigate({ to: "/knowledge/$name", params: { name: created.name } })} />
    </Stack>
  );
}
