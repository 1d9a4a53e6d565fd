import { Button, CloseButton, Group, Stack, Text, Title } from "@mantine/core";
import { useNavigate, useSearch } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { useState } from "react";
import { CompareRuns } from "./CompareRuns";
import type { EvalRun } from "./evalTypes";
import { ReportView } from "./ReportView";
import { RunDetails } from "./RunDetails";
import { RunsTable } from "./RunsTable";
import type { EvaluationSearch } from "./search";
import { StartRunForm } from "./StartRunForm";

/** A panel the URL opened (a run, a comparison, a report), with a button that closes it. */
function Panel({ label, onClose, children }: { label: string; onClose: () => void; children: ReactNode }) {
  return (
    <div style={{ position: "relative" }}>
      <CloseButton aria-label={`Close ${label}`} onClick={onClose} style={{ position: "absolute", top: 8, right: 8, zIndex: 1 }} />
      {children}
    </div>
  );
}

/**
 * Evaluation: start runs of built-in or custom tasks, follow their progress, read results with intervals and items,
 * compare two runs and report on several by dimension. What is open lives in the URL (`?run=`, `?compare=a,b`,
 * `?report=a,b`), so it can be shared and survives a reload.
 */
export function EvaluationPage() {
  const search: EvaluationSearch = useSearch({ from: "/evaluation" });
  const navigate = useNavigate({ from: "/evaluation" });
  const [selected, setSelected] = useState<string[]>([]);
  const show = (next: EvaluationSearch) => void navigate({ search: next });
  const toggle = (run: EvalRun) => setSelected((current) => (current.includes(run.id) ? current.filter((id) => id !== run.id) : [...current, run.id]));
  const compared = search.compare?.split(",").filter(Boolean) ?? [];
  const reported = search.report?.split(",").filter(Boolean) ?? [];
  return (
    <Stack>
      <Title order={1}>Evaluation</Title>
      {search.run ? (
        <Panel label="the run" onClose={() => show({ ...search, run: undefined })}>
          <RunDetails key={search.run} runId={search.run} />
        </Panel>
      ) : null}
      {compared.length === 2 ? (
        <Panel label="the comparison" onClose={() => show({ ...search, compare: undefined })}>
          <CompareRuns a={compared[0]!} b={compared[1]!} />
        </Panel>
      ) : null}
      {reported.length > 0 ? (
        <Panel label="the report" onClose={() => show({ ...search, report: undefined })}>
          <ReportView runIds={reported} />
        </Panel>
      ) : null}
      <StartRunForm onStarted={(run) => show({ ...search, run: run.id })} />
      <RunsTable
        openRunId={search.run}
        onOpen={(run) => show({ ...search, run: run.id })}
        selection={{ selected, toggle }}
        actions={
          <Group mb="sm" gap="sm">
            <Button size="xs" variant="default" disabled={selected.length !== 2} onClick={() => show({ ...search, compare: selected.join(",") })}>
              Compare selected
            </Button>
            <Button size="xs" variant="default" disabled={selected.length === 0} onClick={() => show({ ...search, report: selected.join(",") })}>
              Report on selected
            </Button>
            <Text size="sm" c="dimmed" aria-live="polite">
              {selected.length} selected (two to compare; finished runs for a report)
            </Text>
          </Group>
        }
      />
    </Stack>
  );
}
