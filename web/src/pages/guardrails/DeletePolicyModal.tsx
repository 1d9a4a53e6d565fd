import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { ErrorAlert } from "../../components/QueryState";
import { useDeletePolicy } from "./guardrails-api";

/** Deletes every version of a policy after confirmation; the API refuses (409) while keys use it, shown here. */
export function DeletePolicyModal({ name, onClose }: { name: string; onClose: () => void }) {
  const remove = useDeletePolicy();
  return (
    <Modal opened onClose={onClose} title={`Delete policy ${name}?`} closeButtonProps={{ "aria-label": "Close" }}>
      <Stack>
        <Text>Every version of this policy is removed. Keys that use it must be moved to another policy first.</Text>
        <ErrorAlert error={remove.error} title="The policy was not deleted" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red.8" loading={remove.isPending} onClick={() => remove.mutate(name, { onSuccess: onClose })}>
            Delete policy
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
