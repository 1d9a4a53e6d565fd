import { Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { embeddingModelsOf, knowledgeKeys, useModels } from "./queries";
import type { KnowledgeBase } from "./types";

type Body = { name: string; embedding_model: string; description?: string; chunk_size?: number; chunk_overlap?: number };

/** Name, embedding model (from the embedding models this key may use), optional chunking and description. */
export function CreateKnowledgeBaseForm({ onCreated }: { onCreated: (knowledgeBase: KnowledgeBase) => void }) {
  const queryClient = useQueryClient();
  const models = useModels();
  const embeddingModels = embeddingModelsOf(models.data?.data ?? []);
  const [name, setName] = useState("");
  const [model, setModel] = useState<string | null>(null);
  const [chunkSize, setChunkSize] = useState<string | number>("");
  const [chunkOverlap, setChunkOverlap] = useState<string | number>("");
  const [description, setDescription] = useState("");
  const create = useMutation({
    mutationFn: (body: Body) => api<KnowledgeBase>("/v1/knowledge-bases", { method: "POST", body }),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: knowledgeKeys.all, exact: true });
      setName("");
      setDescription("");
      onCreated(created);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: Body = { name: name.trim(), embedding_model: model ?? "" };
    if (description.trim() !== "") body.description = description.trim();
    if (typeof chunkSize === "number") body.chunk_size = chunkSize;
    if (typeof chunkOverlap === "number") body.chunk_overlap = chunkOverlap;
    create.mutate(body);
  };
  return (
    <Card withBorder component="section" aria-labelledby="create-knowledge-base">
      <form onSubmit={submit}>
        <Stack>
          <Title order={2} size="h4" id="create-knowledge-base">
            Create a knowledge base
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Name" description="1–64 letters, digits, . _ -" required value={name} onChange={(event) => setName(event.currentTarget.value)} />
            <Select
              label="Embedding model"
              required
              placeholder={models.isPending ? "Loading models…" : embeddingModels.length === 0 ? "No embedding model available" : "Pick a model"}
              data={embeddingModels}
              value={model}
              onChange={setModel}
              searchable
            />
            <NumberInput label="Chunk size (tokens)" description="Empty: the model's default" min={8} allowDecimal={false} value={chunkSize} onChange={setChunkSize} />
            <NumberInput label="Chunk overlap (tokens)" description="Empty: size ÷ 8, at most 32" min={0} allowDecimal={false} value={chunkOverlap} onChange={setChunkOverlap} />
          </SimpleGrid>
          <Textarea label="Description" autosize minRows={1} maxRows={4} value={description} onChange={(event) => setDescription(event.currentTarget.value)} />
          <ErrorAlert error={models.error} title="Could not load the models" />
          <ErrorAlert error={create.error} title="Could not create the knowledge base" />
          <Group justify="flex-end">
            <Button type="submit" loading={create.isPending}>
              Create knowledge base
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
