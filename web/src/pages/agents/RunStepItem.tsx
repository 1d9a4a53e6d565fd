import { Badge, Card, Code, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { formatDollars, formatInteger, formatTime } from "../../app/format";
import type { RunStep } from "./agent-types";
import { ToolCallDecision } from "./ApprovalDecision";

const kindLabels: Record<string, string> = {
  model_call: "Model call",
  plan: "Plan",
  tool_call: "Tool call",
  approval: "Approval",
  handoff: "Handoff",
  guardrail: "Guardrail",
};

const approvalLabels: Record<string, string> = { pending: "Waiting for a decision", approved: "Approved", denied: "Denied" };

function formatDuration(milliseconds: number | null): string {
  if (milliseconds === null) return "in progress";
  return milliseconds < 1000 ? `${milliseconds} ms` : `${(milliseconds / 1000).toFixed(1)} s`;
}

/** Pretty-prints JSON arguments (as the model wrote them, when they are not JSON). */
function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function Block({ label, children, testId }: { label: string; children: string; testId?: string }) {
  return (
    <Stack gap={2}>
      <Text size="xs" fw={600}>
        {label}
      </Text>
      <Code block data-testid={testId} style={{ maxHeight: 240, overflow: "auto", whiteSpace: "pre-wrap", overflowWrap: "anywhere" }} tabIndex={0}>
        {children}
      </Code>
    </Stack>
  );
}

function Facts({ items }: { items: Array<[string, ReactNode]> }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs" verticalSpacing={2}>
      {items.map(([label, value]) => (
        <Stack gap={0} key={label}>
          <Text size="xs" fw={600}>
            {label}
          </Text>
          <Text size="sm" style={{ overflowWrap: "anywhere" }}>
            {value}
          </Text>
        </Stack>
      ))}
    </SimpleGrid>
  );
}

function ModelCallBody({ step }: { step: RunStep }) {
  return (
    <Stack gap="xs">
      <Facts
        items={[
          ["Model", step.model ?? "—"],
          ["Input tokens", formatInteger(step.usage?.input_tokens)],
          ["Output tokens", formatInteger(step.usage?.output_tokens)],
          ["Cost", formatDollars(step.cost_usd)],
          ["Finish reason", step.finish_reason ?? "—"],
        ]}
      />
      {step.text ? <Block label={step.kind === "plan" ? "Plan" : "Reply"}>{step.text}</Block> : null}
      {step.tool_calls.map((call) => (
        <Block key={call.call_id} label={`Asked to call ${call.name}`}>
          {prettyJson(call.arguments)}
        </Block>
      ))}
      {step.error ? (
        <Text size="sm" c="red.9">
          Error: {step.error}
        </Text>
      ) : null}
    </Stack>
  );
}

function ToolCallBody({ step }: { step: RunStep }) {
  return (
    <Stack gap="xs">
      <Facts items={[["Tool", step.name ?? "—"], ["Server", step.server_label ?? "—"], ["Call id", step.call_id ?? "—"]]} />
      {step.arguments !== null ? <Block label="Arguments" testId="tool-arguments">{prettyJson(step.arguments)}</Block> : null}
      {step.output !== null ? <Block label="Output" testId="tool-output">{step.output}</Block> : null}
      {step.error !== null ? (
        <Text size="sm" c="red.9" data-testid="tool-error">
          Error: {step.error}
        </Text>
      ) : null}
    </Stack>
  );
}

function ApprovalBody({ step }: { step: RunStep }) {
  const approval = step.approval;
  return (
    <Stack gap="xs">
      <Facts
        items={[
          ["Tool", step.name ?? "—"],
          ["Decision", approval ? (approvalLabels[approval.status] ?? approval.status) : "—"],
          ["Reason", approval?.reason ?? "—"],
          ["Decided", formatTime(approval?.decided_at)],
        ]}
      />
      {step.arguments !== null ? <Block label="Arguments">{prettyJson(step.arguments)}</Block> : null}
      {approval?.status === "pending" ? <ToolCallDecision approvalId={approval.id} label={step.name ?? "the call"} /> : null}
    </Stack>
  );
}

function HandoffBody({ step }: { step: RunStep }) {
  return <Text size="sm">{`From ${step.handoff?.from ?? "?"} to ${step.handoff?.to.name ?? step.handoff?.to.id ?? "?"}${step.handoff?.to.version ? ` (version ${step.handoff.to.version})` : ""}`}</Text>;
}

function StepBody({ step }: { step: RunStep }) {
  switch (step.kind) {
    case "model_call":
    case "plan":
      return <ModelCallBody step={step} />;
    case "tool_call":
      return <ToolCallBody step={step} />;
    case "approval":
      return <ApprovalBody step={step} />;
    case "handoff":
      return <HandoffBody step={step} />;
    default:
      return step.model !== null ? <ModelCallBody step={step} /> : <Text size="sm">A {step.kind} step.</Text>;
  }
}

/** One step of a run's trace: what it was, how long it took, and its content. */
export function RunStepItem({ step }: { step: RunStep }) {
  const title = `${kindLabels[step.kind] ?? step.kind}${step.name && step.kind !== "model_call" ? ` ${step.name}` : ""}`;
  const open = step.ended_at === null;
  return (
    <Card withBorder component="li" padding="sm" aria-label={`Step ${step.index + 1}: ${title}`} data-step-kind={step.kind}>
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Text fw={600} size="sm">
            {step.index + 1}. {title}
          </Text>
          <Group gap="xs">
            <Badge variant="dot" color={open ? "blue" : step.error ? "red" : "green"}>
              {open ? (step.kind === "approval" ? "waiting" : "running") : step.error ? "error" : "done"}
            </Badge>
            <Text size="xs">{formatDuration(step.duration_ms)}</Text>
          </Group>
        </Group>
        <StepBody step={step} />
      </Stack>
    </Card>
  );
}
