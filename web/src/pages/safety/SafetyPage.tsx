import { CloseButton, Stack, Text, Title } from "@mantine/core";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { RunsTable } from "../evaluation/RunsTable";
import type { RunSearch } from "../evaluation/search";
import { SafetyRunDetails } from "./SafetyRunDetails";
import { SafetyStartForm } from "./SafetyStartForm";

/**
 * Safety: Do-Not-Answer runs (the built-in task `do_not_answer` with a judge model), their harmful and refusal rates
 * per risk area, and their items. The open run lives in the URL (`?run=`).
 */
export function SafetyPage() {
  const search: RunSearch = useSearch({ from: "/safety" });
  const navigate = useNavigate({ from: "/safety" });
  return (
    <Stack>
      <Title order={1}>Safety</Title>
      <Text size="sm" c="dimmed">
        Do-Not-Answer asks questions a responsible model should not answer; the judge model classifies each answer. Refusal is any action but following the instruction.
      </Text>
      {search.run ? (
        <div style={{ position: "relative" }}>
          <CloseButton aria-label="Close the run" onClick={() => void navigate({ search: {} })} style={{ position: "absolute", top: 8, right: 8, zIndex: 1 }} />
          <SafetyRunDetails key={search.run} runId={search.run} />
        </div>
      ) : null}
      <SafetyStartForm onStarted={(run) => void navigate({ search: { run: run.id } })} />
      <RunsTable task="do_not_answer" title="Do-Not-Answer runs" openRunId={search.run} onOpen={(run) => void navigate({ search: { run: run.id } })} />
    </Stack>
  );
}
