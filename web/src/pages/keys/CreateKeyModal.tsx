import { Button, Code, CopyButton, Group, Modal, Stack, Text } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { ErrorAlert } from "../../components/QueryState";
import { emptyKeyForm, fieldsOf, type KeyFormValues } from "./key-form";
import { KeyFormFields } from "./KeyFormFields";
import { useCreateKey } from "./keys-api";

/** The new key's secret, shown once: it is not stored anywhere in the browser and cannot be shown again. */
function CreatedKey({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  return (
    <Stack>
      <div role="status">
        <Text fw={700}>Copy the key now.</Text>
        <Text size="sm">
          This is the only time the key <strong>{name}</strong> is shown. aiplus keeps only a hash of it.
        </Text>
      </div>
      <Code block data-testid="new-key-secret">
        {secret}
      </Code>
      <Group justify="flex-end">
        <CopyButton value={secret}>{({ copied, copy }) => <Button variant="default" onClick={copy}>{copied ? "Copied" : "Copy key"}</Button>}</CopyButton>
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}

/** Create a key with every limit; on success the secret is shown once and the list refreshes. */
export function CreateKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateKey();
  const [values, setValues] = useState<KeyFormValues>(emptyKeyForm);
  const close = () => {
    create.reset();
    setValues(emptyKeyForm);
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(fieldsOf(values));
  };
  const created = create.data;
  return (
    <Modal opened={opened} onClose={close} title={created ? "Key created" : "Create key"} size="lg" closeButtonProps={{ "aria-label": "Close" }}>
      {created ? (
        <CreatedKey name={created.name} secret={created.key} onDone={close} />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <KeyFormFields values={values} onChange={setValues} />
            <ErrorAlert error={create.error} title="The key was not created" />
            <Text size="sm" c="dimmed">
              The key is shown once after it is created.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create key
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
