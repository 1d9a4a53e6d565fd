import { Button, Group, Stack, TextInput } from "@mantine/core";
import { JsonTextarea } from "./JsonTextarea";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { approvalsQueryKey } from "./AgentsNav";
import type { ApprovalItem } from "./agent-types";

type Decision = { approve: true; input?: unknown } | { approve: false; reason: string };

function useDecide(approvalId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (decision: Decision) =>
      decision.approve
        ? api<ApprovalItem>(`/v1/approvals/${encodeURIComponent(approvalId)}/approve`, { method: "POST", body: "input" in decision ? { input: decision.input } : {} })
        : api<ApprovalItem>(`/v1/approvals/${encodeURIComponent(approvalId)}/deny`, { method: "POST", body: decision.reason.trim() ? { reason: decision.reason.trim() } : {} }),
    onSuccess: async () => {
      await Promise.all([queryClient.invalidateQueries({ queryKey: approvalsQueryKey }), queryClient.invalidateQueries({ queryKey: ["runs"] })]);
    },
  });
}

/** Approve, or deny with a reason, a tool call waiting in the inbox; its run continues either way. */
export function ToolCallDecision({ approvalId, label }: { approvalId: string; label: string }) {
  const [reason, setReason] = useState("");
  const decide = useDecide(approvalId);
  return (
    <Stack gap="xs">
      <Group align="flex-end">
        <Button onClick={() => decide.mutate({ approve: true })} loading={decide.isPending && decide.variables?.approve === true} disabled={decide.isSuccess}>
          Approve {label}
        </Button>
        <TextInput label={`Reason for denying ${label}`} value={reason} onChange={(event) => setReason(event.currentTarget.value)} maxLength={1000} style={{ flex: 1, minWidth: 200 }} />
        <Button variant="default" onClick={() => decide.mutate({ approve: false, reason })} loading={decide.isPending && decide.variables?.approve === false} disabled={decide.isSuccess}>
          Deny {label}
        </Button>
      </Group>
      <ErrorAlert error={decide.error} title="The decision was not recorded" />
    </Stack>
  );
}

/** Answers a workflow's question (checked against its schema by the API), or denies it, which fails the workflow run. */
export function HumanInputDecision({ item }: { item: ApprovalItem }) {
  const schemaType = typeof item.schema === "object" && item.schema !== null ? (item.schema as { type?: unknown }).type : undefined;
  const asText = schemaType === undefined || schemaType === "string";
  const [answer, setAnswer] = useState("");
  const [reason, setReason] = useState("");
  const [parseError, setParseError] = useState<string | null>(null);
  const decide = useDecide(item.id);
  const submit = () => {
    setParseError(null);
    if (asText) return decide.mutate({ approve: true, input: answer });
    try {
      decide.mutate({ approve: true, input: JSON.parse(answer) as unknown });
    } catch (error) {
      setParseError(`Not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <Stack gap="xs">
      {asText ? (
        <TextInput label="Answer" value={answer} onChange={(event) => setAnswer(event.currentTarget.value)} />
      ) : (
        <JsonTextarea label="Answer (JSON)" autosize minRows={2} value={answer} onChange={setAnswer} error={parseError} />
      )}
      <Group align="flex-end">
        <Button onClick={submit} loading={decide.isPending && decide.variables?.approve === true} disabled={decide.isSuccess}>
          Send the answer
        </Button>
        <TextInput label="Reason for refusing" value={reason} onChange={(event) => setReason(event.currentTarget.value)} maxLength={1000} style={{ flex: 1, minWidth: 200 }} />
        <Button variant="default" onClick={() => decide.mutate({ approve: false, reason })} loading={decide.isPending && decide.variables?.approve === false} disabled={decide.isSuccess}>
          Refuse (fails the workflow run)
        </Button>
      </Group>
      <ErrorAlert error={decide.error} title="The answer was not recorded" />
    </Stack>
  );
}
