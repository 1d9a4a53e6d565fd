import { MultiSelect, NumberInput, Pill, Select, SimpleGrid, Stack, Switch, TextInput } from "@mantine/core";
import { browserTimeZone } from "../../app/format";
import type { KeyFormValues } from "./key-form";
import { type BudgetPeriod, useModelNames, usePolicyNames } from "./keys-api";

const periods: Array<{ value: BudgetPeriod; label: string }> = [
  { value: "day", label: "Day" },
  { value: "week", label: "Week" },
  { value: "month", label: "Month" },
  { value: "total", label: "Total (never resets)" },
];

/**
 * Every limit a key has: name, model allow-list, rpm, tpm, concurrent requests, budget and its period, expiry, admin, code execution.
 * Values go to the API as typed (no clamping here), so a bad value gets the API's own error.
 */
export function KeyFormFields({ values, onChange }: { values: KeyFormValues; onChange: (values: KeyFormValues) => void }) {
  const models = useModelNames();
  const policies = usePolicyNames();
  const set = <Field extends keyof KeyFormValues>(field: Field, value: KeyFormValues[Field]) => onChange({ ...values, [field]: value });
  return (
    <Stack gap="sm">
      <TextInput label="Name" required value={values.name} onChange={(event) => set("name", event.currentTarget.value)} data-autofocus />
      <MultiSelect
        label="Allowed models"
        description="Leave empty to allow every model."
        data={[...new Set([...(models.data ?? []), ...values.models])]}
        value={values.models}
        onChange={(value) => set("models", value)}
        searchable
        clearable
        clearButtonProps={{ "aria-label": "Allow every model (clear the list)" }}
        renderPill={({ option, onRemove, disabled }) => (
          <Pill withRemoveButton={!disabled} onRemove={onRemove} removeButtonProps={{ "aria-label": `Remove ${option.label}` }}>
            {option.label}
          </Pill>
        )}
        nothingFoundMessage={models.error ? "Could not load the models" : "No such model"}
      />
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        <NumberInput label="Requests per minute" description="Empty: no limit." value={values.rpm} onChange={(value) => set("rpm", value)} allowDecimal={false} />
        <NumberInput label="Tokens per minute" description="Empty: no limit." value={values.tpm} onChange={(value) => set("tpm", value)} allowDecimal={false} />
        <NumberInput
          label="Concurrent requests"
          description="Most requests in flight at once; empty: no limit."
          value={values.maxConcurrentRequests}
          onChange={(value) => set("maxConcurrentRequests", value)}
          allowDecimal={false}
        />
        <NumberInput label="Budget (dollars)" description="Empty: no budget." value={values.budget} onChange={(value) => set("budget", value)} decimalScale={6} />
        <Select
          label="Budget period"
          data={periods}
          value={values.budgetPeriod}
          onChange={(value) => set("budgetPeriod", value ?? "month")}
          allowDeselect={false}
        />
      </SimpleGrid>
      <TextInput
        label="Expires"
        description={`Date and time in ${browserTimeZone}; empty: never.`}
        type="datetime-local"
        value={values.expires}
        onChange={(event) => set("expires", event.currentTarget.value)}
      />
      <Select
        label="Guardrail policy"
        description="Tightens the default policy (managed on the Guardrails page)."
        data={[{ value: "", label: "Default policy only" }, ...[...new Set([...(policies.data ?? []), ...(values.policy === "" ? [] : [values.policy])])].map((name) => ({ value: name, label: name }))]}
        value={values.policy}
        onChange={(value) => set("policy", value ?? "")}
        allowDeselect={false}
        nothingFoundMessage={policies.error ? "Could not load the policies" : "No such policy"}
      />
      <Switch label="Admin key (manages keys, models and providers)" checked={values.isAdmin} onChange={(event) => set("isAdmin", event.currentTarget.checked)} />
      <Switch
        label="Allow code execution (sandboxed code-running evaluation tasks)"
        checked={values.allowCodeExecution}
        onChange={(event) => set("allowCodeExecution", event.currentTarget.checked)}
      />
    </Stack>
  );
}
