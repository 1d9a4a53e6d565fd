import { ActionIcon, Button, Group, Select, Stack, Table, Text, TextInput, Tooltip, VisuallyHidden } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { formatInteger, formatTime } from "../../app/format";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import { ConfirmDelete } from "./ConfirmDelete";
import { DocumentStatusCell } from "./DocumentStatusCell";
import { JobsList } from "./JobsList";
import { documentPath, knowledgeKeys, useDocuments } from "./queries";
import type { DocumentFilter } from "./search";
import type { DocumentList, KnowledgeDocument, KnowledgeJob } from "./types";
import { UploadForm } from "./UploadForm";

const pageSize = 20;

type Props = {
  reference: string;
  filter: DocumentFilter;
  page: number;
  search: string;
  onChange: (next: { status?: DocumentFilter | undefined; page?: number | undefined; q?: string | undefined }) => void;
};

function filterOptions(counts: DocumentList["counts"] | undefined) {
  const label = (text: string, count: number | undefined) => (count === undefined ? text : `${text} (${formatInteger(count)})`);
  const total = counts ? counts.ready + counts.processing + counts.failed + counts.cancelled : undefined;
  return [
    { value: "all", label: label("All", total) },
    { value: "ready", label: label("Ready", counts?.ready) },
    { value: "processing", label: label("Processing", counts?.processing) },
    { value: "failed", label: label("Failed", counts?.failed) },
    { value: "cancelled", label: label("Cancelled", counts?.cancelled) },
  ];
}

function DocumentActions({ reference, document, onDelete }: { reference: string; document: KnowledgeDocument; onDelete: () => void }) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(reference) });
  const cancel = useMutation({ mutationFn: () => api<KnowledgeDocument>(`${documentPath(reference, document.id)}/cancel`, { method: "POST" }), onSuccess: refresh });
  const retry = useMutation({ mutationFn: () => api<KnowledgeJob>(`${documentPath(reference, document.id)}/retry`, { method: "POST" }), onSuccess: refresh });
  return (
    <Stack gap={4}>
      <Group gap={4} wrap="nowrap">
        {document.status === "processing" ? (
          <Button size="compact-xs" variant="default" loading={cancel.isPending} onClick={() => cancel.mutate()} aria-label={`Cancel ${document.name}`}>
            Cancel
          </Button>
        ) : null}
        {document.retryable ? (
          <Button size="compact-xs" variant="default" loading={retry.isPending} onClick={() => retry.mutate()} aria-label={`Retry ${document.name}`}>
            Retry
          </Button>
        ) : null}
        <Tooltip label={`Delete ${document.name}`}>
          <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Delete ${document.name}`} onClick={onDelete}>
            <span aria-hidden="true">✕</span>
          </ActionIcon>
        </Tooltip>
      </Group>
      <ErrorAlert error={cancel.error ?? retry.error} />
    </Stack>
  );
}

function DocumentTable({ reference, list, onDelete }: { reference: string; list: DocumentList; onDelete: (document: KnowledgeDocument) => void }) {
  if (list.data.length === 0) return <Text size="sm">No document matches.</Text>;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table aria-label="Documents">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Document</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Chunks</Table.Th>
            <Table.Th>Updated</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data.map((document) => (
            <Table.Tr key={document.id} data-testid={`document-${document.id}`}>
              <Table.Td>
                <Text size="sm">{document.name}</Text>
                {document.id !== document.name ? (
                  <Text size="xs" c="dimmed">
                    {document.id}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <DocumentStatusCell document={document} />
              </Table.Td>
              <Table.Td ta="right">{formatInteger(document.chunk_count)}</Table.Td>
              <Table.Td>{formatTime(document.updated_at)}</Table.Td>
              <Table.Td>
                <DocumentActions reference={reference} document={document} onDelete={() => onDelete(document)} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Upload, the running jobs, and the documents with their per-file status: server-side filter, search and pages. */
export function DocumentsPanel({ reference, filter, page, search, onChange }: Props) {
  const queryClient = useQueryClient();
  const [searchText, setSearchText] = useState(search);
  const [debounced] = useDebouncedValue(searchText, 300);
  useEffect(() => {
    if (debounced !== search) onChange({ q: debounced || undefined, page: undefined });
  }, [debounced, search, onChange]);
  const documents = useDocuments(reference, { status: filter === "all" ? undefined : filter, search: search || undefined, offset: (page - 1) * pageSize, limit: pageSize });
  const [doomed, setDoomed] = useState<KnowledgeDocument | undefined>();
  const remove = useMutation({
    mutationFn: (document: KnowledgeDocument) => api(documentPath(reference, document.id), { method: "DELETE" }),
    onSuccess: async () => {
      setDoomed(undefined);
      await queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(reference) });
    },
  });
  const list = documents.data;
  const pages = list ? Math.max(1, Math.ceil(list.total / pageSize)) : 1;
  return (
    <Stack>
      <UploadForm reference={reference} />
      <JobsList reference={reference} kind="knowledge.ingest" title="Upload jobs" />
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Status"
          data={filterOptions(list?.counts)}
          value={filter}
          onChange={(value) => onChange({ status: (value as DocumentFilter | null) ?? undefined, page: undefined })}
          allowDeselect={false}
          w={200}
        />
        <TextInput label="Find by name" value={searchText} onChange={(event) => setSearchText(event.currentTarget.value)} w={240} />
      </Group>
      <QueryState query={documents} label="documents">
        {(data) => <DocumentTable reference={reference} list={data} onDelete={setDoomed} />}
      </QueryState>
      {list ? (
        <Group justify="space-between">
          <Text size="sm" data-testid="documents-range">
            {list.total === 0
              ? "No documents"
              : `Documents ${formatInteger((page - 1) * pageSize + 1)}–${formatInteger((page - 1) * pageSize + list.data.length)} of ${formatInteger(list.total)}`}
          </Text>
          <Group gap="xs">
            <Button variant="default" size="xs" disabled={page <= 1} onClick={() => onChange({ page: page - 1 > 1 ? page - 1 : undefined })}>
              Previous page
            </Button>
            <Text size="sm">
              Page {formatInteger(page)} of {formatInteger(pages)}
            </Text>
            <Button variant="default" size="xs" disabled={!list.has_more} onClick={() => onChange({ page: page + 1 })}>
              Next page
            </Button>
          </Group>
        </Group>
      ) : null}
      <ConfirmDelete
        title="Delete document"
        opened={doomed !== undefined}
        onClose={() => {
          setDoomed(undefined);
          remove.reset();
        }}
        onConfirm={() => doomed && remove.mutate(doomed)}
        pending={remove.isPending}
        error={remove.error}
      >
        Delete {doomed?.name}? Its {formatInteger(doomed?.chunk_count ?? 0)} passages leave the index at once{doomed?.status === "processing" ? " and its upload stops" : ""}.
      </ConfirmDelete>
    </Stack>
  );
}

