import { Button, Group, Input, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useRef, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { knowledgeBasePath, knowledgeKeys } from "./queries";
import type { KnowledgeJob } from "./types";

/**
 * Uploads many files in one multipart request (one ingestion job); each file then shows its own status in the
 * documents table, from the server, so it survives a reload.
 */
export function UploadForm({ reference }: { reference: string }) {
  const queryClient = useQueryClient();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [count, setCount] = useState(0);
  const upload = useMutation({
    mutationFn: (files: File[]) => {
      const form = new FormData();
      for (const file of files) form.append("file", file, file.name);
      return api<KnowledgeJob>(`${knowledgeBasePath(reference)}/documents`, { method: "POST", body: form });
    },
    onSuccess: async () => {
      if (input.current) input.current.value = "";
      setCount(0);
      await queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(reference) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const files = [...(input.current?.files ?? [])];
    if (files.length > 0) upload.mutate(files);
  };
  return (
    <form onSubmit={submit} aria-label="Upload documents">
      <Stack gap="xs">
        <Input.Wrapper label="Files to upload" description="PDF, DOCX, HTML, Markdown, text, CSV or JSON; pick several at once" id={inputId}>
          <input
            id={inputId}
            aria-describedby={`${inputId}-description`}
            ref={input}
            type="file"
            multiple
            onChange={(event) => setCount(event.currentTarget.files?.length ?? 0)}
            style={{ display: "block", marginTop: 4, maxWidth: "100%" }}
          />
        </Input.Wrapper>
        <Group>
          <Button type="submit" disabled={count === 0} loading={upload.isPending}>
            {count > 1 ? `Upload ${count} files` : "Upload"}
          </Button>
          {upload.isSuccess ? (
            <Text size="sm" role="status">
              Upload received; each file's status is listed below.
            </Text>
          ) : null}
        </Group>
        <ErrorAlert error={upload.error} title="Upload failed" />
      </Stack>
    </form>
  );
}
