import { Card, Group, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { api } from "../../api/client";
import { formatTime } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import type { Agent } from "./agent-types";
import { AnchorLink } from "./AnchorLink";
import { AgentsLayout } from "./AgentsLayout";
import { DefinitionView } from "./DefinitionView";
import { ExportButtons } from "./ExportButtons";
import { RunAgentForm } from "./RunAgentForm";

/** One version of an agent as it was saved (versions are immutable), its export, and a run of exactly this version. */
export function AgentVersionPage() {
  const { agentId, version } = useParams({ from: "/agents/$agentId/versions/$version" });
  const agent = useQuery({
    queryKey: ["agents", "version", agentId, version],
    queryFn: () => api<Agent>(`/v1/agents/${encodeURIComponent(agentId)}`, { query: { version } }),
  });
  return (
    <AgentsLayout>
      <QueryState query={agent} label="the version">
        {(data) => (
          <Stack>
            <Group justify="space-between" align="flex-start">
              <Stack gap={4}>
                <Title order={1}>
                  {data.name} version {data.version}
                </Title>
                <Text size="sm">
                  {data.version === data.latest_version ? "The latest version. " : `The latest is version ${data.latest_version}. `}
                  <AnchorLink to="/agents/$agentId" params={{ agentId: data.id }}>
                    Back to {data.name}
                  </AnchorLink>
                </Text>
              </Stack>
              <ExportButtons agentId={data.id} name={data.name} version={data.version} />
            </Group>
            <Card withBorder component="section" aria-labelledby="version-definition-heading">
              <Title order={2} size="h4" id="version-definition-heading" mb="xs">
                Definition
              </Title>
              <Text size="sm" mb="xs">
                Agent last updated {formatTime(data.updated_at)}.
              </Text>
              <DefinitionView definition={data.definition} />
            </Card>
            <Card withBorder component="section" aria-labelledby="version-run-heading">
              <Title order={2} size="h4" id="version-run-heading" mb="xs">
                Run this version
              </Title>
              <RunAgentForm agentId={data.id} latestVersion={data.latest_version} version={data.version} />
            </Card>
          </Stack>
        )}
      </QueryState>
    </AgentsLayout>
  );
}
