import { Button, Group, Table, Text } from "@mantine/core";
import { formatDate, formatInteger, formatTime } from "../../app/format";
import { ScrollRegion } from "../../components/ScrollRegion";
import type { AdminKey } from "./keys-api";
import { spendText } from "./spend-text";

const statusLabels: Record<AdminKey["status"], string> = { active: "Active", revoked: "Revoked", expired: "Expired" };

function limitsText(key: AdminKey): string {
  const limits = [key.rpm === null ? undefined : `${formatInteger(key.rpm)} rpm`, key.tpm === null ? undefined : `${formatInteger(key.tpm)} tpm`, key.max_concurrent_requests === null ? undefined : `${formatInteger(key.max_concurrent_requests)} concurrent`].filter(Boolean);
  return limits.length === 0 ? "None" : limits.join(", ");
}

/** One page of keys; every row's spend is in the list answer (no request per row). */
export function KeysTable({ keys, onEdit, onRevoke }: { keys: AdminKey[]; onEdit: (key: AdminKey) => void; onRevoke: (key: AdminKey) => void }) {
  return (
    <ScrollRegion label="Keys table" minWidth={960}>
      <Table striped highlightOnHover aria-label="API keys">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Prefix</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Models</Table.Th>
            <Table.Th>Rate limits</Table.Th>
            <Table.Th>Spend</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((key) => (
            <Table.Tr key={key.id} data-testid={`key-row-${key.id}`}>
              <Table.Td>{key.name}</Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {key.prefix}…
                </Text>
              </Table.Td>
              <Table.Td>{key.is_admin ? "Admin" : "User"}</Table.Td>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {statusLabels[key.status]}
                </Text>
              </Table.Td>
              <Table.Td>{key.models === null ? "All" : key.models.join(", ")}</Table.Td>
              <Table.Td>{limitsText(key)}</Table.Td>
              <Table.Td>{spendText(key)}</Table.Td>
              <Table.Td>{key.expires_at === null ? "Never" : formatTime(key.expires_at)}</Table.Td>
              <Table.Td>{formatDate(key.created_at)}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button size="xs" variant="default" onClick={() => onEdit(key)} aria-label={`Edit ${key.name}`} disabled={key.status === "revoked"}>
                    Edit
                  </Button>
                  {key.status === "revoked" ? null : (
                    <Button size="xs" variant="default" onClick={() => onRevoke(key)} aria-label={`Revoke ${key.name}`}>
                      Revoke
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollRegion>
  );
}
