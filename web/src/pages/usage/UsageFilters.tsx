import { Group, Select, TextInput } from "@mantine/core";
import type { UsageReport } from "./usage-api";

export type UsageFilterChanges = { from?: string | undefined; to?: string | undefined; model?: string | undefined; key?: string | undefined };

function keyLabel(row: UsageReport["data"][number]): string {
  if (row.key_id === null || row.key_id === undefined) return "No key";
  return `${row.key_name ?? "Deleted key"} (${row.key_prefix ?? row.key_id}…)`;
}

/** The period (browser dates, inclusive) and the model and key (admin) filters; options are what was used in the period. */
export function UsageFilters({
  from,
  to,
  model,
  keyId,
  models,
  keys,
  onChange,
}: {
  from: string;
  to: string;
  model: string | undefined;
  keyId: string | undefined;
  models: UsageReport | undefined;
  keys: UsageReport | undefined;
  onChange: (changes: UsageFilterChanges) => void;
}) {
  const modelOptions = [...new Set([...(models?.data ?? []).flatMap((row) => (row.model ? [row.model] : [])), ...(model ? [model] : [])])];
  const keyOptions = (keys?.data ?? []).flatMap((row) => (row.key_id ? [{ value: row.key_id, label: keyLabel(row) }] : []));
  if (keyId !== undefined && !keyOptions.some((option) => option.value === keyId)) keyOptions.push({ value: keyId, label: keyId });
  return (
    <Group align="flex-end" gap="sm">
      <TextInput label="From" type="date" value={from} onChange={(event) => event.currentTarget.value && onChange({ from: event.currentTarget.value })} w={170} />
      <TextInput label="To" type="date" value={to} onChange={(event) => event.currentTarget.value && onChange({ to: event.currentTarget.value })} w={170} />
      <Select
        label="Model"
        data={[{ value: "all", label: "All models" }, ...modelOptions.map((name) => ({ value: name, label: name }))]}
        value={model ?? "all"}
        onChange={(value) => onChange({ model: value === null || value === "all" ? undefined : value })}
        allowDeselect={false}
        searchable
        w={200}
      />
      {keys ? (
        <Select
          label="Key"
          data={[{ value: "all", label: "All keys" }, ...keyOptions]}
          value={keyId ?? "all"}
          onChange={(value) => onChange({ key: value === null || value === "all" ? undefined : value })}
          allowDeselect={false}
          searchable
          w={240}
        />
      ) : null}
    </Group>
  );
}

export { keyLabel };
