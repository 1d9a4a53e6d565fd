import { Button, FileButton, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { formatTime } from "../../app/format";
import { useMe } from "../../app/session";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import type { AgentImport, AgentSummary, Page } from "./agent-types";
import { AnchorLink, ButtonLink } from "./AnchorLink";
import { AgentsLayout } from "./AgentsLayout";

const pageSize = 20;

const importOutcomes: Record<AgentImport["import_outcome"], string> = {
  created: "created",
  versioned: "saved as a new version",
  unchanged: "unchanged (the file equals the latest version)",
};

/** Uploads an agent file (JSON or YAML): creates the agent, adds a version, or changes nothing. */
function ImportButton() {
  const queryClient = useQueryClient();
  const importFile = useMutation({
    mutationFn: (file: File) => api<AgentImport>("/v1/agents/import", { method: "POST", body: file, query: { format: /\.json$/i.test(file.name) ? "json" : "yaml" } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["agents"] }),
  });
  return (
    <Stack gap="xs">
      <FileButton onChange={(file) => file && importFile.mutate(file)} accept=".json,.yaml,.yml,application/json,application/yaml">
        {(props) => (
          <Button variant="default" loading={importFile.isPending} {...props}>
            Import an agent file
          </Button>
        )}
      </FileButton>
      <ErrorAlert error={importFile.error} title="The agent file was not imported" />
      {importFile.data ? (
        <Text size="sm" role="status">
          Imported:{" "}
          <AnchorLink to="/agents/$agentId" params={{ agentId: importFile.data.id }}>
            {importFile.data.name}
          </AnchorLink>{" "}
          {importOutcomes[importFile.data.import_outcome]}: version {importFile.data.version}.
        </Text>
      ) : null}
    </Stack>
  );
}

/** Agent definitions the key sees (an admin: every key's), newest first, paged on the server. */
export function AgentListPage() {
  const me = useMe();
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const agents = useQuery({
    queryKey: ["agents", "list", after ?? null],
    queryFn: () => api<Page<AgentSummary>>("/v1/agents", { query: { limit: pageSize, after } }),
  });
  return (
    <AgentsLayout>
      <Group justify="space-between" align="flex-start">
        <Title order={1}>Agents</Title>
        <Group align="flex-start">
          <ButtonLink to="/agents/new">
            New agent
          </ButtonLink>
          <ImportButton />
        </Group>
      </Group>
      <QueryState query={agents} label="agents">
        {(page) =>
          page.data.length === 0 && cursors.length === 0 ? (
            <Text>No agents yet. Create one, or import an agent file.</Text>
          ) : (
            <Stack>
              <Table.ScrollContainer minWidth={560}>
                <Table striped aria-label="Agents">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>Latest version</Table.Th>
                      {me.is_admin ? <Table.Th>Owner key</Table.Th> : null}
                      <Table.Th>Updated</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {page.data.map((agent) => (
                      <Table.Tr key={agent.id}>
                        <Table.Td>
                          <AnchorLink to="/agents/$agentId" params={{ agentId: agent.id }}>
                            {agent.name}
                          </AnchorLink>
                        </Table.Td>
                        <Table.Td>{agent.latest_version}</Table.Td>
                        {me.is_admin ? <Table.Td>{agent.owner}</Table.Td> : null}
                        <Table.Td>{formatTime(agent.updated_at)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group>
                <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors((current) => current.slice(0, -1))}>
                  Previous page
                </Button>
                <Button variant="default" disabled={!page.has_more || page.last_id === null} onClick={() => page.last_id && setCursors((current) => [...current, page.last_id!])}>
                  Next page
                </Button>
              </Group>
            </Stack>
          )
        }
      </QueryState>
    </AgentsLayout>
  );
}
