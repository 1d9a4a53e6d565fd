import { Button, Group, NumberInput, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { JobsList } from "./JobsList";
import { embeddingModelsOf, knowledgeBasePath, knowledgeKeys, useModels } from "./queries";
import type { KnowledgeBase, KnowledgeJob } from "./types";

type Body = { embedding_model: string; chunk_size?: number; chunk_overlap?: number };

/**
 * Re-index with another embedding model: a background job builds a new index while the old one serves, then
 * switches. Its progress is the job's (documents re-indexed), polled from the server.
 */
export function ReindexPanel({ knowledgeBase, reference }: { knowledgeBase: KnowledgeBase; reference: string }) {
  const queryClient = useQueryClient();
  const models = useModels();
  const choices = embeddingModelsOf(models.data?.data ?? []);
  const [model, setModel] = useState<string | null>(null);
  const [chunkSize, setChunkSize] = useState<string | number>("");
  const [chunkOverlap, setChunkOverlap] = useState<string | number>("");
  const reindex = useMutation({
    mutationFn: (body: Body) => api<KnowledgeJob>(`${knowledgeBasePath(reference)}/reindex`, { method: "POST", body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(reference) }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: Body = { embedding_model: model ?? "" };
    if (typeof chunkSize === "number") body.chunk_size = chunkSize;
    if (typeof chunkOverlap === "number") body.chunk_overlap = chunkOverlap;
    reindex.mutate(body);
  };
  return (
    <Stack>
      <Title order={2} size="h4">
        Re-index
      </Title>
      <Text size="sm">
        Serving index: <strong>{knowledgeBase.embedding_model ?? "—"}</strong>, chunks of {knowledgeBase.chunk_size ?? "—"} tokens with {knowledgeBase.chunk_overlap ?? "—"} overlap.
        {knowledgeBase.reindexing ? ` Re-indexing with ${knowledgeBase.reindexing.embedding_model}; the old index answers queries meanwhile.` : ""}
      </Text>
      <form onSubmit={submit} aria-label="Re-index">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select label="New embedding model" required placeholder="Pick a model" data={choices} value={model} onChange={setModel} searchable />
            <NumberInput label="Chunk size (tokens)" description="Empty: as now" min={8} allowDecimal={false} value={chunkSize} onChange={setChunkSize} />
            <NumberInput label="Chunk overlap (tokens)" description="Empty: as now" min={0} allowDecimal={false} value={chunkOverlap} onChange={setChunkOverlap} />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={reindex.isPending} disabled={knowledgeBase.status === "reindexing"}>
              Start re-index
            </Button>
          </Group>
        </Stack>
      </form>
      <ErrorAlert error={models.error} title="Could not load the models" />
      <ErrorAlert error={reindex.error} title="Could not start the re-index" />
      <JobsList reference={reference} kind="knowledge.reindex" title="Re-index jobs" showLatest />
    </Stack>
  );
}
