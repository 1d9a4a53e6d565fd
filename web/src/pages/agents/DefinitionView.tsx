import { Code, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { formatDollars } from "../../app/format";
import type { AgentDefinition } from "./agent-types";

const toolLabel = (tool: unknown): string => {
  if (typeof tool !== "object" || tool === null) return String(tool);
  const { type, name, server_label: serverLabel, agent } = tool as { type?: string; name?: string; server_label?: string; agent?: string };
  switch (type) {
    case "mcp":
      return `mcp: ${serverLabel ?? "?"}`;
    case "agent":
      return `agent: ${name ?? agent ?? "?"}`;
    default:
      return `${type ?? "?"}: ${name ?? "?"}`;
  }
};

function Fact({ label, children }: { label: string; children: string }) {
  return (
    <>
      <Text size="sm" fw={600} component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ overflowWrap: "anywhere" }}>
        {children}
      </Text>
    </>
  );
}

/** A definition's main facts, then the whole definition as JSON. */
export function DefinitionView({ definition }: { definition: AgentDefinition }) {
  const rules = Object.entries(definition.approval.per_tool);
  const limits = definition.limits;
  const blocks = definition.memory.blocks as Array<{ label?: string }>;
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" component="dl" m={0}>
        <Fact label="Model">{definition.model}</Fact>
        <Fact label="Fallback models">{definition.fallback_models.join(", ") || "none"}</Fact>
        <Fact label="Role">{definition.profile?.role ?? "—"}</Fact>
        <Fact label="Tools">{definition.tools.map(toolLabel).join(", ") || "none"}</Fact>
        <Fact label="Handoffs">{definition.handoffs.join(", ") || "none"}</Fact>
        <Fact label="Approval">{`default ${definition.approval.default}${rules.map(([tool, mode]) => `; ${tool}: ${mode}`).join("")}`}</Fact>
        <Fact label="Memory">{`${blocks.length} block${blocks.length === 1 ? "" : "s"}${blocks.length ? ` (${blocks.map((block) => block.label).join(", ")})` : ""}${definition.memory.recall ? ", recall" : ""}`}</Fact>
        <Fact label="Limits">{`max steps ${limits.max_steps ?? "—"}, max tool calls ${limits.max_tool_calls ?? "—"}, max cost ${limits.max_cost === undefined ? "—" : formatDollars(limits.max_cost)}`}</Fact>
        <Fact label="Planning">{definition.planning ? "yes" : "no"}</Fact>
      </SimpleGrid>
      {definition.instructions ? (
        <Stack gap={4}>
          <Title order={3} size="h5">
            Instructions
          </Title>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {definition.instructions}
          </Text>
        </Stack>
      ) : null}
      <Stack gap={4}>
        <Title order={3} size="h5">
          Definition (JSON)
        </Title>
        <Code block data-testid="definition-json" style={{ maxHeight: 360, overflow: "auto" }} tabIndex={0}>
          {JSON.stringify(definition, null, 2)}
        </Code>
      </Stack>
    </Stack>
  );
}
