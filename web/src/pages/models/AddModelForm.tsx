import { Button, Group, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { type ModelView, modelsQueryKey } from "./types";

/** Registers a GGUF file already on the server by its path; the API's error (bad path, not a model) is shown here. */
export function AddModelForm() {
  const queryClient = useQueryClient();
  const [filePath, setFilePath] = useState("");
  const [name, setName] = useState("");
  const mutation = useMutation({
    mutationFn: () => api<ModelView>("/v1/admin/models", { method: "POST", body: { path: filePath.trim(), ...(name.trim() === "" ? {} : { name: name.trim() }) } }),
    onSuccess: async () => {
      setFilePath("");
      setName("");
      await queryClient.invalidateQueries({ queryKey: modelsQueryKey });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <form onSubmit={submit} aria-labelledby="add-model-title">
      <Stack gap="xs">
        <Title order={2} size="h4" id="add-model-title">
          Add from a server path
        </Title>
        <Text size="sm" c="dimmed">
          A GGUF file that is already on the server; its header is read and checked.
        </Text>
        <Group align="flex-end" wrap="wrap">
          <TextInput label="File path on the server" placeholder="/srv/models/model.gguf" required value={filePath} onChange={(event) => setFilePath(event.currentTarget.value)} miw={260} style={{ flex: 2 }} />
          <TextInput label="Name (optional)" placeholder="the file name" value={name} onChange={(event) => setName(event.currentTarget.value)} miw={160} style={{ flex: 1 }} />
          <Button type="submit" loading={mutation.isPending} disabled={filePath.trim() === ""}>
            Add model
          </Button>
        </Group>
        <ErrorAlert error={mutation.error} title="Could not add the model" />
        {mutation.data ? <Text size="sm" role="status">Added {mutation.data.name} ({mutation.data.architecture}).</Text> : null}
      </Stack>
    </form>
  );
}
