import { Badge, Table, Text } from "@mantine/core";
import { formatTime } from "../../app/format";
import type { AuditEntry } from "./guardrails-api";

function positionsText(entry: AuditEntry): string {
  if (!entry.positions || entry.positions.length === 0) return "";
  return entry.positions.map((position) => `${position.location} ${position.start}–${position.end}`).join("; ");
}

/** Where a decision applied or what an admin action touched: endpoint, model and route, or the target. */
function whereText(entry: AuditEntry): string {
  const parts = [entry.endpoint, entry.model, entry.route, entry.target].filter((part): part is string => part !== null && part !== "");
  return parts.join(" · ");
}

/** One page of audit entries (never a detected value: only its HMAC, shortened). */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table aria-label="Audit log" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Key or actor</Table.Th>
            <Table.Th>Rule</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Entity</Table.Th>
            <Table.Th>Where</Table.Th>
            <Table.Th>Policy</Table.Th>
            <Table.Th>Positions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((entry) => (
            <Table.Tr key={entry.id} data-testid="audit-row">
              <Table.Td>{formatTime(entry.created_at)}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={entry.kind === "guardrail" ? "grape" : "blue"}>
                  {entry.kind}
                </Badge>
              </Table.Td>
              <Table.Td>{entry.actor ?? entry.key_id ?? "—"}</Table.Td>
              <Table.Td>{entry.rule}</Table.Td>
              <Table.Td>{entry.action}</Table.Td>
              <Table.Td>{entry.entity_type ?? ""}</Table.Td>
              <Table.Td>{whereText(entry)}</Table.Td>
              <Table.Td>{entry.policy ?? ""}</Table.Td>
              <Table.Td>
                <Text size="xs">{positionsText(entry)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
