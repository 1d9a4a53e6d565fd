import { Button, Group, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { formatTime } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import { DeletePolicyModal } from "./DeletePolicyModal";
import { type PolicySummary, usePolicies } from "./guardrails-api";
import { PolicyEditorModal } from "./PolicyEditorModal";
import { PolicyVersionsModal } from "./PolicyVersionsModal";

/** The current version of every policy, with create, edit (a new version), versions and delete. */
export function PoliciesPanel() {
  const policies = usePolicies();
  const [editing, setEditing] = useState<{ name?: string } | undefined>();
  const [viewing, setViewing] = useState<PolicySummary>();
  const [deleting, setDeleting] = useState<PolicySummary>();
  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm">
          The policy named <code>default</code> applies to every key; a key&apos;s own policy (set on the Keys page) tightens it.
        </Text>
        <Button onClick={() => setEditing({})}>New policy</Button>
      </Group>
      <QueryState query={policies} label="policies">
        {(list) =>
          list.length === 0 ? (
            <Text>No policy yet: nothing is detected and nothing changes.</Text>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table aria-label="Policies">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Version</Table.Th>
                    <Table.Th>Updated</Table.Th>
                    <Table.Th>By</Table.Th>
                    <Table.Th>Actions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((policy) => (
                    <Table.Tr key={policy.name}>
                      <Table.Td>{policy.name}</Table.Td>
                      <Table.Td>{`v${policy.version} (${policy.versions} ${policy.versions === 1 ? "version" : "versions"})`}</Table.Td>
                      <Table.Td>{formatTime(policy.created_at)}</Table.Td>
                      <Table.Td>{policy.created_by ?? "—"}</Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Button size="compact-sm" variant="light" onClick={() => setEditing({ name: policy.name })} aria-label={`Edit ${policy.name}`}>
                            Edit
                          </Button>
                          <Button size="compact-sm" variant="light" onClick={() => setViewing(policy)} aria-label={`Versions of ${policy.name}`}>
                            Versions
                          </Button>
                          <Button size="compact-sm" variant="light" color="red" onClick={() => setDeleting(policy)} aria-label={`Delete ${policy.name}`}>
                            Delete
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      {editing ? <PolicyEditorModal name={editing.name} onClose={() => setEditing(undefined)} /> : null}
      {viewing ? <PolicyVersionsModal policy={viewing} onClose={() => setViewing(undefined)} /> : null}
      {deleting ? <DeletePolicyModal name={deleting.name} onClose={() => setDeleting(undefined)} /> : null}
    </Stack>
  );
}
