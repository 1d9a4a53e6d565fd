import { Button, Card, Checkbox, Group, Modal, PasswordInput, SimpleGrid, Stack, Table, TagsInput, Text, TextInput, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../../api/client";
import { formatTime } from "../../app/format";
import { useMe } from "../../app/session";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import type { McpServer, McpTool } from "./agent-types";
import { AgentsLayout } from "./AgentsLayout";
import { InlineCode } from "./InlineCode";

const serversKey = ["mcp", "servers"] as const;

const toolStatusLabels: Record<McpTool["status"], string> = { new: "New (not approved)", approved: "Approved", changed: "Changed since approval" };

/** Registers a Streamable HTTP MCP server (stdio servers: `aiplus mcp add`, they name programs on the host). */
function AddServerForm() {
  const queryClient = useQueryClient();
  const [label, setLabel] = useState("");
  const [url, setUrl] = useState("");
  const [token, setToken] = useState("");
  const [allowed, setAllowed] = useState<string[]>([]);
  const add = useMutation({
    mutationFn: () =>
      api<McpServer>("/v1/admin/mcp/servers", {
        method: "POST",
        body: { label: label.trim(), url: url.trim(), ...(token ? { bearer_token: token } : {}), ...(allowed.length > 0 ? { allowed_tools: allowed } : {}) },
      }),
    onSuccess: async () => {
      setLabel("");
      setUrl("");
      setToken("");
      setAllowed([]);
      await queryClient.invalidateQueries({ queryKey: serversKey });
    },
  });
  const param = add.error instanceof ApiError ? add.error.param : undefined;
  const errorAt = (field: string) => (param === field ? (add.error as ApiError).message : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <Card withBorder component="section" aria-labelledby="add-server-heading">
      <Title order={2} size="h4" id="add-server-heading" mb="xs">
        Register a server
      </Title>
      <form onSubmit={submit} noValidate aria-label="Register an MCP server">
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Label" description="a-z, 0-9, _ and -; tools become label__tool" required value={label} onChange={(event) => setLabel(event.currentTarget.value)} error={errorAt("label")} />
            <TextInput label="URL" description="Streamable HTTP endpoint" required value={url} onChange={(event) => setUrl(event.currentTarget.value)} error={errorAt("url")} />
            <PasswordInput label="Bearer token (optional)" description="Stored; never shown again" value={token} onChange={(event) => setToken(event.currentTarget.value)} error={errorAt("bearer_token")} />
            <TagsInput label="Allowed tools (optional)" description="Empty: every tool the server lists" value={allowed} onChange={setAllowed} error={errorAt("allowed_tools")} />
          </SimpleGrid>
          <ErrorAlert error={add.error} title="The server was not registered" />
          <Group>
            <Button type="submit" loading={add.isPending}>
              Register server
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function DeleteServerButton({ server }: { server: McpServer }) {
  const [opened, { open, close }] = useDisclosure(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate({ from: "/agents/mcp" });
  const remove = useMutation({
    mutationFn: () => api(`/v1/admin/mcp/servers/${encodeURIComponent(server.label)}`, { method: "DELETE" }),
    onSuccess: async () => {
      close();
      await navigate({ search: {} });
      await queryClient.invalidateQueries({ queryKey: serversKey });
    },
  });
  return (
    <>
      <Button size="xs" variant="default" onClick={open}>
        Delete {server.label}
      </Button>
      <Modal opened={opened} onClose={close} title={`Delete the MCP server ${server.label}?`}>
        <Stack>
          <Text size="sm">Its tool approvals and key grants are deleted with it; agents naming it lose its tools.</Text>
          <ErrorAlert error={remove.error} title="The server was not deleted" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep it
            </Button>
            <Button color="red.9" onClick={() => remove.mutate()} loading={remove.isPending}>
              Delete {server.label}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** A server's tools as it lists them now, with their hash status; approve some or all of them. */
function ServerTools({ label }: { label: string }) {
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string[]>([]);
  const tools = useQuery({
    queryKey: ["mcp", "tools", label],
    queryFn: () => api<{ object: "list"; data: McpTool[] }>(`/v1/admin/mcp/servers/${encodeURIComponent(label)}/tools`),
  });
  const approve = useMutation({
    mutationFn: (body: { tools: string[] } | { all: true }) => api<{ object: "list"; data: McpTool[] }>(`/v1/admin/mcp/servers/${encodeURIComponent(label)}/tools/approve`, { method: "POST", body }),
    onSuccess: (list) => {
      queryClient.setQueryData(["mcp", "tools", label], list);
      setSelected([]);
    },
  });
  const toggle = (name: string, on: boolean) => setSelected((current) => (on ? [...current, name] : current.filter((entry) => entry !== name)));
  return (
    <Card withBorder component="section" aria-labelledby="tools-heading">
      <Title order={2} size="h4" id="tools-heading" mb="xs">
        Tools of {label}
      </Title>
      <QueryState query={tools} label={`the tools of ${label}`}>
        {(list) =>
          list.data.length === 0 ? (
            <Text size="sm">The server lists no tools.</Text>
          ) : (
            <Stack>
              <Table.ScrollContainer minWidth={720}>
                <Table aria-label={`Tools of ${label}`}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Select</Table.Th>
                      <Table.Th>Tool</Table.Th>
                      <Table.Th>Description</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Hash</Table.Th>
                      <Table.Th>Approved hash</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.data.map((tool) => (
                      <Table.Tr key={tool.name} data-tool={tool.name}>
                        <Table.Td>
                          <Checkbox aria-label={`Select ${tool.name}`} checked={selected.includes(tool.name)} onChange={(event) => toggle(tool.name, event.currentTarget.checked)} disabled={!tool.allowed} />
                        </Table.Td>
                        <Table.Td>
                          <InlineCode>{tool.namespaced_name}</InlineCode>
                          {tool.allowed ? "" : " (not allowed)"}
                        </Table.Td>
                        <Table.Td>{tool.description ?? "—"}</Table.Td>
                        <Table.Td data-testid={`tool-status-${tool.name}`}>{toolStatusLabels[tool.status]}</Table.Td>
                        <Table.Td>
                          <InlineCode title={tool.hash}>{tool.hash.slice(0, 12)}</InlineCode>
                        </Table.Td>
                        <Table.Td>{tool.approved_hash ? <InlineCode title={tool.approved_hash}>{tool.approved_hash.slice(0, 12)}</InlineCode> : "—"}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group>
                <Button onClick={() => approve.mutate({ tools: selected })} disabled={selected.length === 0} loading={approve.isPending && approve.variables !== undefined && "tools" in approve.variables}>
                  Approve selected ({selected.length})
                </Button>
                <Button variant="default" onClick={() => approve.mutate({ all: true })} loading={approve.isPending && approve.variables !== undefined && "all" in approve.variables}>
                  Approve all
                </Button>
              </Group>
              <ErrorAlert error={approve.error} title="The tools were not approved" />
            </Stack>
          )
        }
      </QueryState>
    </Card>
  );
}

/** Registered MCP servers (admin keys only), their tools with hash status, approval by hash. */
export function McpServersPage() {
  const me = useMe();
  const search = useSearch({ from: "/agents/mcp" });
  const navigate = useNavigate({ from: "/agents/mcp" });
  const servers = useQuery({ queryKey: serversKey, queryFn: () => api<{ object: "list"; data: McpServer[] }>("/v1/admin/mcp/servers"), enabled: me.is_admin });
  return (
    <AgentsLayout>
      <Title order={1}>MCP servers</Title>
      {!me.is_admin ? (
        <Text role="status">MCP servers are registered and approved by admin keys. Your key uses the tools it was granted.</Text>
      ) : (
        <>
          <QueryState query={servers} label="the MCP servers">
            {(list) =>
              list.data.length === 0 ? (
                <Text>No MCP server is registered.</Text>
              ) : (
                <Table.ScrollContainer minWidth={720}>
                  <Table striped aria-label="MCP servers">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Label</Table.Th>
                        <Table.Th>Transport</Table.Th>
                        <Table.Th>URL or command</Table.Th>
                        <Table.Th>Allowed tools</Table.Th>
                        <Table.Th>Secrets</Table.Th>
                        <Table.Th>Registered</Table.Th>
                        <Table.Th>Actions</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {list.data.map((server) => (
                        <Table.Tr key={server.label}>
                          <Table.Td>{server.label}</Table.Td>
                          <Table.Td>{server.transport}</Table.Td>
                          <Table.Td style={{ overflowWrap: "anywhere" }}>{server.url ?? server.command ?? "—"}</Table.Td>
                          <Table.Td>{server.allowed_tools?.join(", ") ?? "all"}</Table.Td>
                          <Table.Td>{Object.keys(server.headers).length > 0 ? Object.entries(server.headers).map(([name, value]) => `${name}: ${value}`).join(", ") : "none"}</Table.Td>
                          <Table.Td>{formatTime(server.created_at)}</Table.Td>
                          <Table.Td>
                            <Group gap="xs" wrap="nowrap">
                              <Button size="xs" variant={search.server === server.label ? "filled" : "default"} onClick={() => void navigate({ search: { server: server.label } })}>
                                Tools of {server.label}
                              </Button>
                              <DeleteServerButton server={server} />
                            </Group>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )
            }
          </QueryState>
          {search.server ? <ServerTools key={search.server} label={search.server} /> : null}
          <AddServerForm />
        </>
      )}
    </AgentsLayout>
  );
}
