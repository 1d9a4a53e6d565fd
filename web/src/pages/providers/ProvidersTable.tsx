import { Button, Group, Modal, Stack, Table, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { ConnectionTestResult } from "./ConnectionTestResult";
import { circuitText, healthCheckText, latencyText, routeStateText } from "./health-text";
import { ProviderForm } from "./ProviderForm";
import { type ConnectionTest, type ProviderView, providersQueryKey } from "./types";

function DeleteProviderDialog({ provider, onClose }: { provider: ProviderView | undefined; onClose: () => void }) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (name: string) => api(`/v1/admin/providers/${encodeURIComponent(name)}`, { method: "DELETE" }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: providersQueryKey });
      onClose();
    },
  });
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={provider !== undefined} onClose={onClose} title={provider ? `Delete provider ${provider.name}?` : ""}>
      {provider ? (
        <Stack>
          <Text size="sm">Requests for {provider.models.join(", ")} no longer go to {provider.base_url} (other routes of those models stay).</Text>
          <ErrorAlert error={mutation.error} title="Could not delete the provider" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button color="red.9" loading={mutation.isPending} onClick={() => mutation.mutate(provider.name)}>
              Delete
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}

function ModelRoutes({ provider }: { provider: ProviderView }) {
  return (
    <Stack gap={2}>
      {provider.routes.map((route) => (
        <Text size="sm" key={route.model}>
          {route.model}
          {routeStateText(route.state, route.open_until_at)}
        </Text>
      ))}
    </Stack>
  );
}

/** Providers with their circuit state and latency; test, edit and delete each. */
export function ProvidersTable({ providers }: { providers: ProviderView[] }) {
  const [editing, setEditing] = useState<ProviderView | undefined>();
  const [deleting, setDeleting] = useState<ProviderView | undefined>();
  const [testing, setTesting] = useState<string | undefined>();
  const test = useMutation({
    mutationFn: (name: string) => api<ConnectionTest>(`/v1/admin/providers/${encodeURIComponent(name)}/test`, { method: "POST" }),
  });
  if (providers.length === 0) return <Text size="sm">No provider yet: add one to route model names to an OpenAI-compatible upstream.</Text>;
  return (
    <>
      <Table.ScrollContainer minWidth={900}>
        <Table striped aria-label="Providers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Base URL</Table.Th>
              <Table.Th scope="col">Models</Table.Th>
              <Table.Th scope="col">API key</Table.Th>
              <Table.Th scope="col">Circuit breaker</Table.Th>
              <Table.Th scope="col">Recent latency</Table.Th>
              <Table.Th scope="col">In flight</Table.Th>
              <Table.Th scope="col">Health check</Table.Th>
              <Table.Th scope="col">Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {providers.map((provider) => (
              <Table.Tr key={provider.id} data-testid={`provider-row-${provider.name}`}>
                <Table.Th scope="row">{provider.name}</Table.Th>
                <Table.Td style={{ wordBreak: "break-all" }}>{provider.base_url}</Table.Td>
                <Table.Td>
                  <ModelRoutes provider={provider} />
                </Table.Td>
                <Table.Td>{provider.has_api_key ? `Saved (${provider.api_key_hint})` : "None"}</Table.Td>
                <Table.Td data-testid="provider-circuit">{circuitText(provider.circuit.state, provider.circuit.open_until_at)}</Table.Td>
                <Table.Td data-testid="provider-latency">{latencyText(provider.latency)}</Table.Td>
                <Table.Td data-testid="provider-in-flight">{provider.outstanding_requests}</Table.Td>
                <Table.Td data-testid="provider-health-check">{healthCheckText(provider.health_check)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      size="xs"
                      variant="default"
                      loading={test.isPending && test.variables === provider.name}
                      onClick={() => {
                        setTesting(provider.name);
                        test.mutate(provider.name);
                      }}
                      aria-label={`Test connection of ${provider.name}`}
                    >
                      Test connection
                    </Button>
                    <Button size="xs" variant="default" onClick={() => setEditing(provider)} aria-label={`Edit ${provider.name}`}>
                      Edit
                    </Button>
                    <Button size="xs" color="red" variant="light" onClick={() => setDeleting(provider)} aria-label={`Delete ${provider.name}`}>
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Modal closeButtonProps={{ "aria-label": "Close" }} opened={testing !== undefined} onClose={() => setTesting(undefined)} title={`Connection test: ${testing ?? ""}`}>
        {test.isPending ? <Text size="sm">Calling the upstream…</Text> : null}
        {test.data && !test.isPending ? <ConnectionTestResult result={test.data} /> : null}
        <ErrorAlert error={test.error} title="Could not test the connection" />
      </Modal>
      <Modal closeButtonProps={{ "aria-label": "Close" }} opened={editing !== undefined} onClose={() => setEditing(undefined)} title={editing ? `Edit provider ${editing.name}` : ""} size="lg">
        {editing ? <ProviderForm provider={editing} onDone={() => setEditing(undefined)} /> : null}
      </Modal>
      <DeleteProviderDialog provider={deleting} onClose={() => setDeleting(undefined)} />
    </>
  );
}
