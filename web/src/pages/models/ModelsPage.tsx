import { Card, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { List } from "../../api/types";
import { AdminOnly } from "../../components/AdminOnly";
import { QueryState } from "../../components/QueryState";
import { AddModelForm } from "./AddModelForm";
import { PullForm } from "./PullForm";
import { PullsList } from "./PullsList";
import { RegistryTable } from "./RegistryTable";
import { type ModelView, modelsQueryKey } from "./types";

function ModelsContent() {
  const models = useQuery({
    queryKey: modelsQueryKey,
    queryFn: ({ signal }) => api<List<ModelView>>("/v1/admin/models", { signal }),
    refetchInterval: 15_000,
  });
  return (
    <Stack>
      <Title order={1}>Models</Title>
      <Card withBorder padding="md" component="section" aria-labelledby="registry-title">
        <Title order={2} size="h4" id="registry-title" mb="xs">
          Registry
        </Title>
        <QueryState query={models} label="the models">
          {(list) => <RegistryTable models={list.data} />}
        </QueryState>
      </Card>
      <Card withBorder padding="md" component="section" aria-label="Add a model">
        <AddModelForm />
      </Card>
      <Card withBorder padding="md" component="section" aria-label="Pull a model">
        <Stack>
          <PullForm />
          <Title order={3} size="h5">
            Pulls
          </Title>
          <Text size="xs" c="dimmed">
            Downloads run on the server; cancelling one deletes its partial file, retrying a failed one resumes it.
          </Text>
          <PullsList />
        </Stack>
      </Card>
    </Stack>
  );
}

/** Models (admin): the registry with each file's figures, add from a path, pulls as server-side jobs, load, unload, delete. */
export function ModelsPage() {
  return (
    <AdminOnly title="Models">
      <ModelsContent />
    </AdminOnly>
  );
}
