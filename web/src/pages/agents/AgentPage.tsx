import { Badge, Button, Card, Group, Modal, Stack, Table, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { api } from "../../api/client";
import { formatTime } from "../../app/format";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import type { Agent, AgentVersion, Page, Run } from "./agent-types";
import { AnchorLink, ButtonLink } from "./AnchorLink";
import { AgentsLayout } from "./AgentsLayout";
import { DefinitionView } from "./DefinitionView";
import { ExportButtons } from "./ExportButtons";
import { RunAgentForm } from "./RunAgentForm";
import { RunsTable } from "./RunsTable";
import { isRunEnded } from "./RunStatusBadge";

const versionsPageSize = 10;

/** An agent's versions, newest first, paged on the server (by version number). */
function VersionsCard({ agent }: { agent: Agent }) {
  const [cursors, setCursors] = useState<number[]>([]);
  const after = cursors.at(-1);
  const versions = useQuery({
    queryKey: ["agents", "versions", agent.id, after ?? null, agent.latest_version],
    queryFn: () => api<Page<AgentVersion, number>>(`/v1/agents/${encodeURIComponent(agent.id)}/versions`, { query: { limit: versionsPageSize, after } }),
  });
  return (
    <Card withBorder component="section" aria-labelledby="versions-heading">
      <Title order={2} size="h4" id="versions-heading" mb="xs">
        Versions
      </Title>
      <QueryState query={versions} label="the versions">
        {(page) => (
          <Stack>
            <Table.ScrollContainer minWidth={320}>
              <Table aria-label="Versions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Version</Table.Th>
                    <Table.Th>Saved</Table.Th>
                    <Table.Th>Model</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.data.map((version) => (
                    <Table.Tr key={version.version}>
                      <Table.Td>
                        <AnchorLink to="/agents/$agentId/versions/$version" params={{ agentId: agent.id, version: String(version.version) }}>
                          Version {version.version}
                        </AnchorLink>
                        {version.version === agent.latest_version ? " (latest)" : ""}
                      </Table.Td>
                      <Table.Td>{formatTime(version.created_at)}</Table.Td>
                      <Table.Td>{version.definition.model}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {cursors.length > 0 || page.has_more ? (
              <Group>
                <Button size="xs" variant="default" disabled={cursors.length === 0} onClick={() => setCursors((current) => current.slice(0, -1))}>
                  Newer versions
                </Button>
                <Button size="xs" variant="default" disabled={!page.has_more || page.last_id === null} onClick={() => page.last_id !== null && setCursors((current) => [...current, page.last_id!])}>
                  Older versions
                </Button>
              </Group>
            ) : null}
          </Stack>
        )}
      </QueryState>
    </Card>
  );
}

/** The agent's latest runs (the runs list filtered by this agent on the server). */
function RecentRunsCard({ agent }: { agent: Agent }) {
  const runs = useQuery({
    queryKey: ["runs", "list", { agent: agent.id, limit: 10 }],
    queryFn: () => api<Page<Run>>("/v1/runs", { query: { agent: agent.id, limit: 10 } }),
    refetchInterval: (query) => (query.state.data?.data.some((run) => !isRunEnded(run.status)) ? 2000 : false),
  });
  return (
    <Card withBorder component="section" aria-labelledby="recent-runs-heading">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="recent-runs-heading">
          Recent runs
        </Title>
        <AnchorLink to="/agents/runs" search={{ agent: agent.id }} size="sm">
          All runs of {agent.name}
        </AnchorLink>
      </Group>
      <QueryState query={runs} label="the runs">
        {(page) => <RunsTable runs={page.data} label={`Recent runs of ${agent.name}`} />}
      </QueryState>
    </Card>
  );
}

function DeleteButton({ agent }: { agent: Agent }) {
  const [opened, { open, close }] = useDisclosure(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api(`/v1/agents/${encodeURIComponent(agent.id)}`, { method: "DELETE" }),
    onSuccess: async () => {
      close();
      // Leave the page first, so nothing reads the deleted agent again.
      await navigate({ to: "/agents" });
      queryClient.removeQueries({ queryKey: ["agents", "detail", agent.id] });
      await queryClient.invalidateQueries({ queryKey: ["agents"] });
    },
  });
  return (
    <>
      <Button variant="default" onClick={open}>
        Delete
      </Button>
      <Modal opened={opened} onClose={close} title={`Delete the agent ${agent.name}?`}>
        <Stack>
          <Text size="sm">Its memory is deleted with it. Its versions stay readable to the runs that used them, and the name becomes free.</Text>
          <ErrorAlert error={remove.error} title="The agent was not deleted" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep it
            </Button>
            <Button color="red.9" onClick={() => remove.mutate()} loading={remove.isPending}>
              Delete {agent.name}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** One agent: its latest definition, run it on a task, versions, recent runs, export, edit, delete. */
export function AgentPage() {
  const { agentId } = useParams({ from: "/agents/$agentId" });
  const agent = useQuery({ queryKey: ["agents", "detail", agentId], queryFn: () => api<Agent>(`/v1/agents/${encodeURIComponent(agentId)}`) });
  return (
    <AgentsLayout>
      <QueryState query={agent} label="the agent">
        {(data) => (
          <Stack>
            <Group justify="space-between" align="flex-start">
              <Stack gap={4}>
                <Title order={1}>{data.name}</Title>
                <Group gap="xs">
                  <Badge variant="default" data-testid="agent-version">
                    Version {data.latest_version}
                  </Badge>
                  {data.definition.description ? <Text size="sm">{data.definition.description}</Text> : null}
                </Group>
              </Stack>
              <Group gap="xs">
                <ButtonLink to="/agents/$agentId/edit" params={{ agentId: data.id }}>
                  Edit
                </ButtonLink>
                <ExportButtons agentId={data.id} name={data.name} />
                <DeleteButton agent={data} />
              </Group>
            </Group>
            <Card withBorder component="section" aria-labelledby="run-heading">
              <Title order={2} size="h4" id="run-heading" mb="xs">
                Run on a task
              </Title>
              <RunAgentForm agentId={data.id} latestVersion={data.latest_version} />
            </Card>
            <RecentRunsCard agent={data} />
            <Card withBorder component="section" aria-labelledby="definition-heading">
              <Title order={2} size="h4" id="definition-heading" mb="xs">
                Definition (version {data.version})
              </Title>
              <DefinitionView definition={data.definition} />
            </Card>
            <VersionsCard agent={data} />
          </Stack>
        )}
      </QueryState>
    </AgentsLayout>
  );
}
