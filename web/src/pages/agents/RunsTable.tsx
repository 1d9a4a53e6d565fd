import { Table, Text } from "@mantine/core";
import { formatDollars, formatInteger, formatTime } from "../../app/format";
import { useMe } from "../../app/session";
import type { Run } from "./agent-types";
import { AnchorLink } from "./AnchorLink";
import { RunStatusBadge } from "./RunStatusBadge";

/** Runs as rows: state, agent, steps, tokens and cost (the ledger's), start time; the key for admins. */
export function RunsTable({ runs, label }: { runs: Run[]; label: string }) {
  const me = useMe();
  if (runs.length === 0) return <Text size="sm">No runs.</Text>;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Run</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Agent</Table.Th>
            {me.is_admin ? <Table.Th>Key</Table.Th> : null}
            <Table.Th>Steps</Table.Th>
            <Table.Th>Tokens</Table.Th>
            <Table.Th>Cost</Table.Th>
            <Table.Th>Started</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <Table.Tr key={run.id} data-run-id={run.id}>
              <Table.Td>
                <AnchorLink to="/agents/runs/$runId" params={{ runId: run.id }} ff="monospace" size="sm" title={run.id}>
                  {run.id.slice(0, 14)}…
                </AnchorLink>
              </Table.Td>
              <Table.Td>
                <RunStatusBadge state={run.status} />
              </Table.Td>
              <Table.Td>{run.agent ? `${run.agent.name ?? run.agent.id} v${run.agent.version}` : `model ${run.model}`}</Table.Td>
              {me.is_admin ? <Table.Td>{run.key_name ?? run.key_id}</Table.Td> : null}
              <Table.Td>{formatInteger(run.steps)}</Table.Td>
              <Table.Td>{formatInteger(run.usage.total_tokens)}</Table.Td>
              <Table.Td>{formatDollars(run.cost_usd)}</Table.Td>
              <Table.Td>{formatTime(run.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
