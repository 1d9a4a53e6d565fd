import { Stack, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "@tanstack/react-router";
import { api } from "../../api/client";
import { QueryState } from "../../components/QueryState";
import { formValuesOf } from "./agent-form-values";
import type { Agent } from "./agent-types";
import { AgentForm } from "./AgentForm";
import { AgentsLayout } from "./AgentsLayout";

/** Edits an agent: saving adds the next version (versions are immutable). */
export function AgentEditPage() {
  const { agentId } = useParams({ from: "/agents/$agentId/edit" });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const agent = useQuery({ queryKey: ["agents", "detail", agentId], queryFn: () => api<Agent>(`/v1/agents/${encodeURIComponent(agentId)}`) });
  return (
    <AgentsLayout>
      <QueryState query={agent} label="the agent">
        {(data) => (
          <Stack>
            <Title order={1}>Edit {data.name}</Title>
            <Text size="sm">Editing version {data.latest_version}; saving creates version {data.latest_version + 1}.</Text>
            <AgentForm
              key={`${data.id}-${data.version}`}
              initial={formValuesOf(data.definition)}
              mode="edit"
              submitLabel="Save as a new version"
              onSubmit={async (definition) => {
                await api<Agent>(`/v1/agents/${encodeURIComponent(data.id)}`, { method: "POST", body: definition });
                await queryClient.invalidateQueries({ queryKey: ["agents"] });
                await navigate({ to: "/agents/$agentId", params: { agentId: data.id } });
              }}
            />
          </Stack>
        )}
      </QueryState>
    </AgentsLayout>
  );
}
