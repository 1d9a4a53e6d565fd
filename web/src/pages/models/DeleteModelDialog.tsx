import { Button, Checkbox, Group, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError, api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { type ModelView, modelsQueryKey } from "./types";

/**
 * Confirms a deletion. A model that knowledge bases use is refused (409 `model_in_use`): its message is shown and the
 * admin may force the deletion (those knowledge bases become unusable).
 */
export function DeleteModelDialog({ model, onClose }: { model: ModelView | undefined; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [force, setForce] = useState(false);
  const mutation = useMutation({
    mutationFn: (name: string) => api(`/v1/admin/models/${encodeURIComponent(name)}`, { method: "DELETE", query: { force: force ? "true" : undefined } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: modelsQueryKey });
      onClose();
    },
  });
  const { reset } = mutation;
  useEffect(() => {
    setForce(false);
    reset();
  }, [model, reset]);
  const inUse = mutation.error instanceof ApiError && mutation.error.code === "model_in_use";
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={model !== undefined} onClose={onClose} title={model ? `Delete model ${model.name}?` : ""}>
      {model ? (
        <Stack>
          <Text size="sm">
            {model.name} is removed from the registry and unloaded. Its file stays on the server: <code>{model.path}</code>
          </Text>
          <ErrorAlert error={mutation.error} title={inUse ? "The model is in use" : "Could not delete the model"} />
          {inUse ? <Checkbox label="Delete it anyway (those knowledge bases become unusable)" checked={force} onChange={(event) => setForce(event.currentTarget.checked)} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button color="red.9" loading={mutation.isPending} disabled={inUse && !force} onClick={() => mutation.mutate(model.name)}>
              {force ? "Force delete" : "Delete"}
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
