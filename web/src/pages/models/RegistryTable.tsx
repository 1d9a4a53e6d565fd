import { Button, Group, Table, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { formatBytes, formatInteger } from "../../app/format";
import { ErrorAlert } from "../../components/QueryState";
import { DeleteModelDialog } from "./DeleteModelDialog";
import { ModelDetailsDialog } from "./ModelDetailsDialog";
import { contextText, expertsText, modalitiesText } from "./model-figures";
import { type ModelView, modelsQueryKey } from "./types";

/** The registry: one row per model with its GGUF figures, loaded state and actions. */
export function RegistryTable({ models }: { models: ModelView[] }) {
  const [details, setDetails] = useState<ModelView | undefined>();
  const [deleting, setDeleting] = useState<ModelView | undefined>();
  const queryClient = useQueryClient();
  const loading = useMutation({
    mutationFn: ({ name, action }: { name: string; action: "load" | "unload" }) => api<ModelView>(`/v1/admin/models/${encodeURIComponent(name)}/${action}`, { method: "POST" }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: modelsQueryKey }),
  });
  if (models.length === 0) return <Text size="sm">No model is registered yet: add one from a server path or pull one.</Text>;
  return (
    <>
      {loading.error && loading.variables ? <ErrorAlert error={loading.error} title={`Could not ${loading.variables.action} ${loading.variables.name}`} /> : null}
      <Table.ScrollContainer minWidth={1000}>
        <Table striped highlightOnHover aria-label="Registered models">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Architecture</Table.Th>
              <Table.Th scope="col">Parameters</Table.Th>
              <Table.Th scope="col">Quantisation</Table.Th>
              <Table.Th scope="col">Context</Table.Th>
              <Table.Th scope="col">Experts (MoE)</Table.Th>
              <Table.Th scope="col">Modalities</Table.Th>
              <Table.Th scope="col">Size</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {models.map((model) => (
              <Table.Tr key={model.name} data-testid={`model-row-${model.name}`}>
                <Table.Th scope="row">{model.name}</Table.Th>
                <Table.Td>{model.architecture}</Table.Td>
                <Table.Td>{formatInteger(model.parameter_count)}</Table.Td>
                <Table.Td>{model.quantization ?? "—"}</Table.Td>
                <Table.Td>{contextText(model)}</Table.Td>
                <Table.Td>{expertsText(model)}</Table.Td>
                <Table.Td>{modalitiesText(model)}</Table.Td>
                <Table.Td>{formatBytes(model.file_size_bytes)}</Table.Td>
                <Table.Td>{model.loaded ? `Loaded (${formatBytes(model.memory_bytes)})` : "Not loaded"}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button size="xs" variant="default" onClick={() => setDetails(model)} aria-label={`Details of ${model.name}`}>
                      Details
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      loading={loading.isPending && loading.variables.name === model.name}
                      onClick={() => loading.mutate({ name: model.name, action: model.loaded ? "unload" : "load" })}
                      aria-label={`${model.loaded ? "Unload" : "Load"} ${model.name}`}
                    >
                      {model.loaded ? "Unload" : "Load"}
                    </Button>
                    <Button size="xs" color="red" variant="light" onClick={() => setDeleting(model)} aria-label={`Delete ${model.name}`}>
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ModelDetailsDialog model={details} onClose={() => setDetails(undefined)} />
      <DeleteModelDialog model={deleting} onClose={() => setDeleting(undefined)} />
    </>
  );
}
