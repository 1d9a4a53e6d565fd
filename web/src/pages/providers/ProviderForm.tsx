import { Button, Checkbox, Group, NumberInput, PasswordInput, SegmentedControl, Stack, TagsInput, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { ConnectionTestResult } from "./ConnectionTestResult";
import { type ConnectionTest, type ProviderView, providersQueryKey } from "./types";

type Check = "models" | "chat";

/**
 * Adds a provider (several models at once) or edits one. The API key is write-only: an edit shows only its mask and
 * keeps it unless a new one is typed or "remove" is ticked. "Test connection" calls the upstream with what the form
 * holds, before anything is saved.
 */
export function ProviderForm({ provider, onDone }: { provider?: ProviderView | undefined; onDone: () => void }) {
  const queryClient = useQueryClient();
  const editing = provider !== undefined;
  const [name, setName] = useState(provider?.name ?? "");
  const [baseUrl, setBaseUrl] = useState(provider?.base_url ?? "");
  const [apiKey, setApiKey] = useState("");
  const [removeKey, setRemoveKey] = useState(false);
  const [models, setModels] = useState<string[]>(provider?.models ?? []);
  const [priority, setPriority] = useState<number | string>(provider?.priority ?? 100);
  const [timeoutMs, setTimeoutMs] = useState<number | string>(provider?.timeout_ms ?? 60_000);
  const [check, setCheck] = useState<Check>("models");

  const keyField = (): { api_key?: string | null } => {
    if (apiKey.trim() !== "") return { api_key: apiKey.trim() };
    if (editing && removeKey) return { api_key: null };
    return {};
  };
  const numberField = (value: number | string) => (typeof value === "number" ? value : undefined);

  const save = useMutation({
    mutationFn: () => {
      const settings = { base_url: baseUrl.trim(), models, priority: numberField(priority), timeout_ms: numberField(timeoutMs), ...keyField() };
      return editing
        ? api<ProviderView>(`/v1/admin/providers/${encodeURIComponent(provider.name)}`, { method: "PATCH", body: settings })
        : api<ProviderView>("/v1/admin/providers", { method: "POST", body: { name: name.trim(), ...settings } });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: providersQueryKey });
      onDone();
    },
  });
  const test = useMutation({
    mutationFn: () => {
      const checkFields = { check, ...(check === "chat" && models[0] ? { model: models[0] } : {}) };
      return editing
        ? api<ConnectionTest>(`/v1/admin/providers/${encodeURIComponent(provider.name)}/test`, {
            method: "POST",
            body: { base_url: baseUrl.trim() || undefined, timeout_ms: numberField(timeoutMs), ...keyField(), ...checkFields },
          })
        : api<ConnectionTest>("/v1/admin/providers/test", {
            method: "POST",
            body: { name: name.trim() || undefined, base_url: baseUrl.trim(), models, timeout_ms: numberField(timeoutMs), ...keyField(), ...checkFields },
          });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <TextInput label="Name" required disabled={editing} value={name} onChange={(event) => setName(event.currentTarget.value)} placeholder="openai" />
        <TextInput label="Base URL" required value={baseUrl} onChange={(event) => setBaseUrl(event.currentTarget.value)} placeholder="https://api.openai.com/v1" />
        <PasswordInput
          label="API key"
          description={editing ? (provider.has_api_key ? `Saved key ${provider.api_key_hint ?? ""}: leave empty to keep it.` : "No key is saved.") : "Optional; stored on the server and never shown again."}
          value={apiKey}
          onChange={(event) => setApiKey(event.currentTarget.value)}
          autoComplete="off"
        />
        {editing && provider.has_api_key ? <Checkbox label="Remove the saved key" checked={removeKey} onChange={(event) => setRemoveKey(event.currentTarget.checked)} disabled={apiKey !== ""} /> : null}
        <TagsInput
          label="Models"
          description="Model names this provider serves: type one and press Enter, or paste several separated by commas."
          required
          value={models}
          onChange={setModels}
          splitChars={[",", " ", "\n"]}
          clearable
          acceptValueOnBlur
        />
        <Group grow>
          <NumberInput label="Priority" description="Lower is tried first" value={priority} onChange={setPriority} allowDecimal={false} />
          <NumberInput label="Timeout (ms)" description="Until the first byte" value={timeoutMs} onChange={setTimeoutMs} min={1} allowDecimal={false} />
        </Group>
        <Stack gap={4}>
          <Text size="sm" fw={500} id="check-label">
            Connection check
          </Text>
          <SegmentedControl
            aria-labelledby="check-label"
            value={check}
            onChange={(value) => setCheck(value)}
            data={[
              { value: "models", label: "List models" },
              { value: "chat", label: "1-token chat" },
            ]}
          />
        </Stack>
        {test.data ? <ConnectionTestResult result={test.data} /> : null}
        <ErrorAlert error={test.error} title="Could not test the connection" />
        <ErrorAlert error={save.error} title={editing ? "Could not save the provider" : "Could not add the provider"} />
        <Group justify="space-between">
          <Button variant="default" loading={test.isPending} onClick={() => test.mutate()} disabled={baseUrl.trim() === ""}>
            Test connection
          </Button>
          <Group gap="xs">
            <Button variant="default" onClick={onDone}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {editing ? "Save changes" : "Add provider"}
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
