import { Anchor, Card, Checkbox, Table, Text, Title } from "@mantine/core";
import { type ReactNode, useState } from "react";
import { formatInteger, formatTime } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import { formatInterval, formatPercent } from "./evalFormat";
import { useEvalRuns } from "./evalQueries";
import type { EvalRun } from "./evalTypes";
import { Pager } from "./Pager";
import { RunStatusBadge } from "./RunStatus";
import { ScrollTable } from "./ScrollTable";

export const runsPageSize = 10;

export type RunSelection = { selected: readonly string[]; toggle: (run: EvalRun) => void };

/**
 * The key's runs (an admin key's: everyone's), newest first, paged on the server and polled while one is live. With
 * `selection`, rows have a checkbox (compare, report); `actions` render above the table.
 */
export function RunsTable({ task, onOpen, openRunId, selection, actions, title = "Runs" }: { task?: string; onOpen: (run: EvalRun) => void; openRunId?: string | undefined; selection?: RunSelection; actions?: ReactNode; title?: string }) {
  const [offset, setOffset] = useState(0);
  const runs = useEvalRuns({ task, offset, limit: runsPageSize });
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="runs-title">
      <Title order={2} size="h4" id="runs-title" mb="sm">
        {title}
      </Title>
      {actions}
      <QueryState query={runs} label="the runs">
        {(page) =>
          page.data.length === 0 && offset === 0 ? (
            <Text size="sm">No run yet.</Text>
          ) : (
            <>
              <ScrollTable minWidth={760} label={title}>
                <Table data-testid="runs-table" highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      {selection ? <Table.Th>Select</Table.Th> : null}
                      <Table.Th>Run</Table.Th>
                      <Table.Th>Task</Table.Th>
                      <Table.Th>Dimension</Table.Th>
                      <Table.Th>Model</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Items</Table.Th>
                      <Table.Th>Score</Table.Th>
                      <Table.Th>Started</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {page.data.map((run) => (
                      <Table.Tr key={run.id} data-run-id={run.id} aria-current={run.id === openRunId ? "true" : undefined}>
                        {selection ? (
                          <Table.Td>
                            <Checkbox aria-label={`Select run ${run.id}`} checked={selection.selected.includes(run.id)} onChange={() => selection.toggle(run)} />
                          </Table.Td>
                        ) : null}
                        <Table.Td>
                          <Anchor component="button" type="button" size="sm" onClick={() => onOpen(run)} aria-label={`Open run ${run.id}`}>
                            {run.id}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>
                          {run.task}
                          {run.custom_task ? " (custom)" : ""}
                        </Table.Td>
                        <Table.Td>{run.tags.dimension}</Table.Td>
                        <Table.Td>{run.model}</Table.Td>
                        <Table.Td>
                          <RunStatusBadge status={run.status} />
                        </Table.Td>
                        <Table.Td>
                          {formatInteger(run.progress.done)} / {formatInteger(run.progress.total)}
                        </Table.Td>
                        <Table.Td>
                          {run.accuracy ? (
                            <>
                              {run.primary_metric} {formatPercent(run.accuracy.value)} <Text span size="xs" c="dimmed">{formatInterval(run.accuracy.interval)}</Text>
                            </>
                          ) : (
                            "—"
                          )}
                        </Table.Td>
                        <Table.Td>{formatTime(run.created_at)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollTable>
              <Pager offset={offset} limit={runsPageSize} shown={page.data.length} hasMore={page.has_more} noun="runs" onChange={setOffset} />
            </>
          )
        }
      </QueryState>
    </Card>
  );
}
