import { Button, Card, Group, Modal, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import type { List } from "../../api/types";
import { AdminOnly } from "../../components/AdminOnly";
import { QueryState } from "../../components/QueryState";
import { ProviderForm } from "./ProviderForm";
import { ProvidersTable } from "./ProvidersTable";
import { type ProviderView, providersQueryKey } from "./types";

function ProvidersContent() {
  const [adding, setAdding] = useState(false);
  const providers = useQuery({
    queryKey: providersQueryKey,
    queryFn: ({ signal }) => api<List<ProviderView>>("/v1/admin/providers", { signal }),
    refetchInterval: 10_000,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Providers</Title>
        <Button onClick={() => setAdding(true)}>Add provider</Button>
      </Group>
      <Text size="sm" c="dimmed">
        OpenAI-compatible upstreams that serve model names. Circuit-breaker state and latency are this server's view since it started.
      </Text>
      <Card withBorder padding="md" component="section" aria-label="Provider list">
        <QueryState query={providers} label="the providers">
          {(list) => <ProvidersTable providers={list.data} />}
        </QueryState>
      </Card>
      <Modal closeButtonProps={{ "aria-label": "Close" }} opened={adding} onClose={() => setAdding(false)} title="Add a provider" size="lg">
        {adding ? <ProviderForm onDone={() => setAdding(false)} /> : null}
      </Modal>
    </Stack>
  );
}

/** Providers (admin): add with several models, test the connection, edit, delete; breaker state and latency. */
export function ProvidersPage() {
  return (
    <AdminOnly title="Providers">
      <ProvidersContent />
    </AdminOnly>
  );
}
