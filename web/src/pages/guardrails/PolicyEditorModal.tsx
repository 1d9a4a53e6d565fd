import { Button, Group, Loader, Modal, Stack, Textarea, TextInput } from "@mantine/core";
import { useState } from "react";
import { ErrorAlert } from "../../components/QueryState";
import { usePolicyVersion, useSetPolicy } from "./guardrails-api";

const example = "pii: mask\n";

function PolicyForm({ name: fixedName, initialText, onClose }: { name: string | undefined; initialText: string; onClose: () => void }) {
  const [name, setName] = useState(fixedName ?? "");
  const [text, setText] = useState(initialText);
  const save = useSetPolicy();
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate({ name, policy: text }, { onSuccess: onClose });
      }}
    >
      <Stack>
        <TextInput label="Name" required value={name} readOnly={fixedName !== undefined} onChange={(event) => setName(event.currentTarget.value)} data-autofocus={fixedName === undefined} />
        <Textarea
          label="Policy (YAML or JSON)"
          description="The server validates it; saving adds a new version."
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          autosize
          minRows={8}
          maxRows={24}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
          spellCheck={false}
        />
        <ErrorAlert error={save.error} title="The policy was not saved" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            Save policy
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function EditExisting({ name, onClose }: { name: string; onClose: () => void }) {
  const current = usePolicyVersion(name, undefined);
  if (current.error) return <ErrorAlert error={current.error} title="Could not load the policy" />;
  if (!current.data) return <Loader size="sm" aria-label="Loading the policy" />;
  return <PolicyForm name={name} initialText={current.data.source} onClose={onClose} />;
}

/** Create a policy (`name` undefined) or edit one: its current source text, saved as the next version. */
export function PolicyEditorModal({ name, onClose }: { name: string | undefined; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title={name === undefined ? "New policy" : `Edit policy ${name}`} size="lg" closeButtonProps={{ "aria-label": "Close" }}>
      {name === undefined ? <PolicyForm name={undefined} initialText={example} onClose={onClose} /> : <EditExisting name={name} onClose={onClose} />}
    </Modal>
  );
}
