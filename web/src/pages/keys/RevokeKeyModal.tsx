import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { ErrorAlert } from "../../components/QueryState";
import { type AdminKey, useRevokeKey } from "./keys-api";

/** Revoking is final: requests with the key (and its console sessions) are refused at once. */
export function RevokeKeyModal({ apiKey, onClose }: { apiKey: AdminKey; onClose: () => void }) {
  const revoke = useRevokeKey();
  return (
    <Modal opened onClose={onClose} title={`Revoke key ${apiKey.name}?`} closeButtonProps={{ "aria-label": "Close" }}>
      <Stack>
        <Text size="sm">
          Requests with the key {apiKey.prefix}… will be refused at once, and its console sessions end. This cannot be undone.
        </Text>
        <ErrorAlert error={revoke.error} title="The key was not revoked" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red.9" loading={revoke.isPending} onClick={() => revoke.mutate(apiKey.id, { onSuccess: onClose })}>
            Revoke key
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
