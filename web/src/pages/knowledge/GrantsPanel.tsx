import { Button, Group, List, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import type { List as ListAnswer } from "../../api/types";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import { knowledgeBasePath, knowledgeKeys } from "./queries";

/** Keys granted the knowledge base (owner and admins only): grant by key id or prefix, revoke. */
export function GrantsPanel({ reference }: { reference: string }) {
  const queryClient = useQueryClient();
  const path = `${knowledgeBasePath(reference)}/grants`;
  const grants = useQuery({ queryKey: knowledgeKeys.grants(reference), queryFn: () => api<ListAnswer<string>>(path) });
  const [key, setKey] = useState("");
  const settle = (answer: ListAnswer<string>) => queryClient.setQueryData(knowledgeKeys.grants(reference), answer);
  const grant = useMutation({
    mutationFn: (keyReference: string) => api<ListAnswer<string>>(path, { method: "POST", body: { key: keyReference } }),
    onSuccess: (answer) => {
      settle(answer);
      setKey("");
    },
  });
  const revoke = useMutation({ mutationFn: (keyId: string) => api<ListAnswer<string>>(`${path}/${encodeURIComponent(keyId)}`, { method: "DELETE" }), onSuccess: settle });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    grant.mutate(key.trim());
  };
  return (
    <Stack>
      <Title order={2} size="h4">
        Access
      </Title>
      <Text size="sm">Granted keys may list, upload to and query this knowledge base; only its owner and admins manage it.</Text>
      <QueryState query={grants} label="grants">
        {(list) =>
          list.data.length === 0 ? (
            <Text size="sm">No key has been granted this knowledge base.</Text>
          ) : (
            <List aria-label="Granted keys" spacing="xs">
              {list.data.map((keyId) => (
                <List.Item key={keyId}>
                  <Group gap="sm">
                    <Text size="sm" ff="monospace">
                      {keyId}
                    </Text>
                    <Button size="compact-xs" variant="default" color="red" loading={revoke.isPending && revoke.variables === keyId} onClick={() => revoke.mutate(keyId)} aria-label={`Revoke key ${keyId}`}>
                      Revoke
                    </Button>
                  </Group>
                </List.Item>
              ))}
            </List>
          )
        }
      </QueryState>
      <ErrorAlert error={revoke.error} title="Could not revoke" />
      <form onSubmit={submit} aria-label="Grant a key">
        <Group align="flex-end">
          <TextInput label="API key id or prefix" required value={key} onChange={(event) => setKey(event.currentTarget.value)} w={320} maw="100%" />
          <Button type="submit" loading={grant.isPending}>
            Grant
          </Button>
        </Group>
      </form>
      <ErrorAlert error={grant.error} title="Could not grant" />
    </Stack>
  );
}
