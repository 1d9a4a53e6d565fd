import { Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { api } from "../../api/client";
import { emptyAgentForm } from "./agent-form-values";
import type { Agent } from "./agent-types";
import { AgentForm } from "./AgentForm";
import { AgentsLayout } from "./AgentsLayout";

/** A new agent (version 1). */
export function AgentCreatePage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <AgentsLayout>
      <Title order={1}>New agent</Title>
      <AgentForm
        initial={emptyAgentForm}
        mode="create"
        submitLabel="Create agent"
        onSubmit={async (definition) => {
          const agent = await api<Agent>("/v1/agents", { method: "POST", body: definition });
          await queryClient.invalidateQueries({ queryKey: ["agents"] });
          await navigate({ to: "/agents/$agentId", params: { agentId: agent.id } });
        }}
      />
    </AgentsLayout>
  );
}
