import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { ErrorAlert } from "../../components/QueryState";
import { changedFields, formValuesOf, type KeyFormValues } from "./key-form";
import { KeyFormFields } from "./KeyFormFields";
import { type AdminKey, useUpdateKey } from "./keys-api";

/** Change any limit settable at creation; a cleared field removes that limit (`null`). Only changed fields are sent. */
export function EditKeyModal({ apiKey, onClose }: { apiKey: AdminKey; onClose: () => void }) {
  const update = useUpdateKey();
  const [values, setValues] = useState<KeyFormValues>(() => formValuesOf(apiKey));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes = changedFields(apiKey, values);
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    update.mutate({ id: apiKey.id, changes }, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={`Edit key ${apiKey.name}`} size="lg" closeButtonProps={{ "aria-label": "Close" }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <KeyFormFields values={values} onChange={setValues} />
          <ErrorAlert error={update.error} title="The key was not changed" />
          {values.budgetPeriod !== apiKey.budget_period ? (
            <Text size="sm">A new budget period starts now: spending so far no longer counts against the budget.</Text>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending}>
              Save changes
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
