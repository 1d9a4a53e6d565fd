import { Badge, Card, Code, Group, Stack, Text, Title } from "@mantine/core";
import { formatTime } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import type { ApprovalItem } from "./agent-types";
import { HumanInputDecision, ToolCallDecision } from "./ApprovalDecision";
import { AnchorLink } from "./AnchorLink";
import { AgentsLayout } from "./AgentsLayout";
import { InlineCode } from "./InlineCode";
import { inboxLimit, useApprovals } from "./AgentsNav";

function prettyJson(text: string | null): string {
  if (text === null) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function Origin({ item }: { item: ApprovalItem }) {
  if (item.response_id) {
    return (
      <Text size="sm">
        Run{" "}
        <AnchorLink to="/agents/runs/$runId" params={{ runId: item.response_id }} ff="monospace" size="sm">
          {item.response_id}
        </AnchorLink>
      </Text>
    );
  }
  return (
    <Text size="sm">
      Workflow run <InlineCode>{item.workflow_run_id ?? "?"}</InlineCode>
      {item.workflow_version ? ` (workflow version ${item.workflow_version})` : null}
      {item.step_id ? (
        <>
          {" "}
          step <InlineCode>{item.step_id}</InlineCode>
        </>
      ) : null}
    </Text>
  );
}

function ApprovalCard({ item }: { item: ApprovalItem }) {
  const title = item.kind === "tool_call" ? `Tool call ${item.name ?? ""}` : "Question";
  return (
    <Card withBorder component="li" padding="sm" aria-label={`${title} (${item.id})`} data-approval-id={item.id}>
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Group gap="xs">
            <Text fw={600}>{title}</Text>
            <Badge variant="default">{item.kind === "tool_call" ? `server ${item.server_label ?? "workflow"}` : "human input"}</Badge>
          </Group>
          <Text size="xs">
            Asked {formatTime(item.created_at)}
            {item.expires_at ? `; expires ${formatTime(item.expires_at)}` : ""}
          </Text>
        </Group>
        <Origin item={item} />
        {item.kind === "tool_call" ? (
          <>
            <Text size="xs" fw={600}>
              Arguments
            </Text>
            <Code block style={{ maxHeight: 200, overflow: "auto", whiteSpace: "pre-wrap", overflowWrap: "anywhere" }} tabIndex={0}>
              {prettyJson(item.arguments)}
            </Code>
            <ToolCallDecision approvalId={item.id} label={item.name ?? "the call"} />
          </>
        ) : (
          <>
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
              {item.prompt}
            </Text>
            {item.schema ? (
              <Code block style={{ maxHeight: 160, overflow: "auto" }} tabIndex={0}>
                {JSON.stringify(item.schema, null, 2)}
              </Code>
            ) : null}
            <HumanInputDecision item={item} />
          </>
        )}
      </Stack>
    </Card>
  );
}

/**
 * The approvals inbox: tool calls and workflow questions waiting for a person in the key's runs (an admin: every
 * run's), oldest first; a decision lets the run continue.
 */
export function ApprovalsPage() {
  const approvals = useApprovals();
  return (
    <AgentsLayout>
      <Title order={1}>Approvals</Title>
      <QueryState query={approvals} label="the approvals">
        {(list) =>
          list.data.length === 0 ? (
            <Text>Nothing waits for a decision.</Text>
          ) : (
            <Stack>
              {list.data.length >= inboxLimit ? <Text size="sm">The {inboxLimit} oldest pending items; decide some to see the next ones.</Text> : null}
              <Stack component="ol" gap="sm" style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label="Pending approvals">
                {list.data.map((item) => (
                  <ApprovalCard key={item.id} item={item} />
                ))}
              </Stack>
            </Stack>
          )
        }
      </QueryState>
    </AgentsLayout>
  );
}
