import { Table, Text } from "@mantine/core";
import { formatInteger } from "../../app/format";
import { decisionLocations, type GuardrailDecision } from "./guardrail-decisions";

/** The guardrail decisions of one request: rule, action, entity type, route, where and how often (never a value). */
export function GuardrailDecisionsTable({ requestId, decisions }: { requestId: string; decisions: readonly GuardrailDecision[] }) {
  return (
    <Table withTableBorder aria-label={`Guardrail decisions of request ${requestId}`} data-testid="guardrail-decisions">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Rule</Table.Th>
          <Table.Th>Action</Table.Th>
          <Table.Th>Entity</Table.Th>
          <Table.Th>Route</Table.Th>
          <Table.Th>Policy</Table.Th>
          <Table.Th>Where</Table.Th>
          <Table.Th ta="right">Occurrences</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {decisions.map((decision) => (
          <Table.Tr key={decision.audit_id}>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {decision.rule}
              </Text>
            </Table.Td>
            <Table.Td>{decision.action}</Table.Td>
            <Table.Td>{decision.entity_type ?? "—"}</Table.Td>
            <Table.Td>{decision.route ?? "—"}</Table.Td>
            <Table.Td>{decision.policy ?? "—"}</Table.Td>
            <Table.Td>{decisionLocations(decision)}</Table.Td>
            <Table.Td ta="right">{formatInteger(decision.occurrences)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
