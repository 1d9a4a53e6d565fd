import { Button, Group, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { type PullView, pullsQueryKey } from "./types";

/** Starts a server-side download (a job that goes on when this page is left). */
export function PullForm() {
  const queryClient = useQueryClient();
  const [source, setSource] = useState("");
  const [name, setName] = useState("");
  const [sha256, setSha256] = useState("");
  const mutation = useMutation({
    mutationFn: () =>
      api<PullView>("/v1/admin/model-pulls", {
        method: "POST",
        body: { source: source.trim(), ...(name.trim() === "" ? {} : { name: name.trim() }), ...(sha256.trim() === "" ? {} : { sha256: sha256.trim() }) },
      }),
    onSuccess: async () => {
      setSource("");
      setName("");
      setSha256("");
      await queryClient.invalidateQueries({ queryKey: pullsQueryKey });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <form onSubmit={submit} aria-labelledby="pull-model-title">
      <Stack gap="xs">
        <Title order={2} size="h4" id="pull-model-title">
          Pull from a URL or Hugging Face
        </Title>
        <Text size="sm" c="dimmed">
          The server downloads the file (resuming after interruptions), checks it and registers it. The download keeps going when you leave this page.
        </Text>
        <TextInput label="Source" description="An http(s) URL or hf:org/repo/file.gguf" placeholder="hf:ggml-org/models/tinyllamas/stories260K.gguf" required value={source} onChange={(event) => setSource(event.currentTarget.value)} />
        <Group align="flex-end" wrap="wrap">
          <TextInput label="Name (optional)" placeholder="the file name" value={name} onChange={(event) => setName(event.currentTarget.value)} miw={160} style={{ flex: 1 }} />
          <TextInput label="Expected sha256 (optional)" placeholder="64 hexadecimal characters" value={sha256} onChange={(event) => setSha256(event.currentTarget.value)} miw={260} style={{ flex: 2 }} />
          <Button type="submit" loading={mutation.isPending} disabled={source.trim() === ""}>
            Start pull
          </Button>
        </Group>
        <ErrorAlert error={mutation.error} title="Could not start the pull" />
      </Stack>
    </form>
  );
}
