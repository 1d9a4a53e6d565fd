import { ActionIcon, Autocomplete, Button, Checkbox, Fieldset, Group, NumberInput, Select, SimpleGrid, Stack, TagsInput, Text, Textarea, TextInput } from "@mantine/core";
import { JsonTextarea } from "./JsonTextarea";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../../api/client";
import type { List, Model } from "../../api/types";
import { ErrorAlert } from "../../components/QueryState";
import { type AgentFormField, type AgentFormValues, type ApprovalMode, buildDefinition, fieldOfParam } from "./agent-form-values";
import type { AgentSummary, Page } from "./agent-types";

const approvalModes = [
  { value: "never", label: "Never (runs at once)" },
  { value: "always", label: "Always (waits in the inbox)" },
];

export function useModelNames() {
  return useQuery({
    queryKey: ["models"],
    queryFn: () => api<List<Model>>("/v1/models"),
    select: (list) => list.data.map((model) => model.id),
  });
}

type Props = {
  initial: AgentFormValues;
  /** Editing keeps the agent's name (a new version of the same agent). */
  mode: "create" | "edit";
  submitLabel: string;
  /** Saves the definition; an ApiError it throws is shown at the field its `param` names. */
  onSubmit: (definition: Record<string, unknown>) => Promise<void>;
};

/**
 * An agent definition as a form: profile, instructions, model and fallbacks, handoffs, the approval policy per tool,
 * limits, and JSON for tools, memory and the output format. The API validates; its errors appear where they belong.
 */
export function AgentForm({ initial, mode, submitLabel, onSubmit }: Props) {
  const [values, setValues] = useState<AgentFormValues>(initial);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<AgentFormField, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const models = useModelNames();
  const agents = useQuery({
    queryKey: ["agents", "names"],
    queryFn: () => api<Page<AgentSummary>>("/v1/agents", { query: { limit: 100 } }),
    select: (page) => page.data.map((agent) => agent.name),
  });
  const set = <Field extends AgentFormField>(field: Field, value: AgentFormValues[Field]) => {
    setValues((current) => ({ ...current, [field]: value }));
    setFieldErrors((current) => ({ ...current, [field]: undefined }));
  };
  const errorOf = (field: AgentFormField) => fieldErrors[field];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const built = buildDefinition(values);
    if (!built.ok) {
      setFieldErrors(built.errors);
      setError(new Error("Some fields are not valid JSON; fix them and save again."));
      return;
    }
    setSaving(true);
    try {
      await onSubmit(built.definition);
    } catch (caught) {
      const field = caught instanceof ApiError ? fieldOfParam(caught.param) : undefined;
      if (field && caught instanceof ApiError) setFieldErrors({ [field]: caught.message });
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  const modelNames = models.data ?? [];
  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label="Agent definition">
      <Stack>
        <Fieldset legend="Profile">
          <Stack>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="Name"
                description={mode === "edit" ? "A new version keeps the agent's name." : "1-64 letters, digits, '.', '_' or '-'"}
                required
                value={values.name}
                readOnly={mode === "edit"}
                onChange={(event) => set("name", event.currentTarget.value)}
                error={errorOf("name")}
              />
              <TextInput label="Description" value={values.description} onChange={(event) => set("description", event.currentTarget.value)} error={errorOf("description")} />
              <TextInput label="Role" value={values.role} onChange={(event) => set("role", event.currentTarget.value)} error={errorOf("role")} />
              <TextInput label="Persona" value={values.persona} onChange={(event) => set("persona", event.currentTarget.value)} error={errorOf("persona")} />
            </SimpleGrid>
            <Textarea label="Instructions" autosize minRows={3} maxRows={12} value={values.instructions} onChange={(event) => set("instructions", event.currentTarget.value)} error={errorOf("instructions")} />
          </Stack>
        </Fieldset>

        <Fieldset legend="Models">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Autocomplete label="Model" required data={modelNames} value={values.model} onChange={(value) => set("model", value)} error={errorOf("model")} />
            <TagsInput
              label="Fallback models"
              description="Tried in order when the model fails before any output"
              data={modelNames}
              value={values.fallbackModels}
              onChange={(value) => set("fallbackModels", value)}
              error={errorOf("fallbackModels")}
            />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend="Tools and handoffs">
          <Stack>
            <JsonTextarea
              label="Tools (JSON array)"
              description='e.g. [{"type": "builtin", "name": "memory"}, {"type": "function", "name": "lookup", "parameters": {"type": "object"}}]'
              autosize
              minRows={3}
              maxRows={16}
              value={values.tools}
              onChange={(value) => set("tools", value)}
              error={errorOf("tools")}
            />
            <TagsInput
              label="Handoffs"
              description="Agents (by name) this one may hand the conversation to"
              data={(agents.data ?? []).filter((name) => name !== values.name)}
              value={values.handoffs}
              onChange={(value) => set("handoffs", value)}
              error={errorOf("handoffs")}
            />
            <Checkbox label="Planning: write a numbered plan before the first step" checked={values.planning} onChange={(event) => set("planning", event.currentTarget.checked)} error={errorOf("planning")} />
          </Stack>
        </Fieldset>

        <ApprovalFields values={values} set={set} errorOf={errorOf} />

        <Fieldset legend="Memory and output">
          <Stack>
            <JsonTextarea
              label="Memory (JSON object)"
              description='e.g. {"blocks": [{"label": "human", "limit_chars": 2000}], "recall": true}'
              autosize
              minRows={3}
              maxRows={16}
              value={values.memory}
              onChange={(value) => set("memory", value)}
              error={errorOf("memory")}
            />
            <JsonTextarea
              label="Output format (JSON, optional)"
              description='e.g. {"format": {"type": "json_object"}}'
              autosize
              minRows={2}
              maxRows={12}
              value={values.textFormat}
              onChange={(value) => set("textFormat", value)}
              error={errorOf("textFormat")}
            />
          </Stack>
        </Fieldset>

        <Fieldset legend="Limits">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput label="Max steps" description="Model calls per run" min={1} allowDecimal={false} value={values.maxSteps} onChange={(value) => set("maxSteps", value)} error={errorOf("maxSteps")} />
            <NumberInput label="Max tool calls" description="Server tool calls per run" min={1} allowDecimal={false} value={values.maxToolCalls} onChange={(value) => set("maxToolCalls", value)} error={errorOf("maxToolCalls")} />
            <NumberInput label="Max cost" description="Dollars per run" min={0} decimalScale={6} prefix="$" value={values.maxCost} onChange={(value) => set("maxCost", value)} error={errorOf("maxCost")} />
          </SimpleGrid>
        </Fieldset>

        <ErrorAlert error={error} title="The agent was not saved" />
        <Group>
          <Button type="submit" loading={saving}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

type FieldProps = {
  values: AgentFormValues;
  set: <Field extends AgentFormField>(field: Field, value: AgentFormValues[Field]) => void;
  errorOf: (field: AgentFormField) => string | undefined;
};

/** The approval policy: a default and one rule per tool name. */
function ApprovalFields({ values, set, errorOf }: FieldProps) {
  const rules = values.approvalRules;
  const update = (index: number, rule: { tool: string; mode: ApprovalMode }) => set("approvalRules", rules.map((current, at) => (at === index ? rule : current)));
  return (
    <Fieldset legend="Approval">
      <Stack>
        <Select
          label="Default for tools without a rule"
          data={approvalModes}
          value={values.approvalDefault}
          allowDeselect={false}
          onChange={(value) => set("approvalDefault", (value ?? "never") as ApprovalMode)}
          error={errorOf("approvalDefault")}
        />
        {rules.map((rule, index) => (
          <Group key={index} align="flex-end" wrap="nowrap">
            <TextInput label={`Tool ${index + 1} name`} value={rule.tool} onChange={(event) => update(index, { ...rule, tool: event.currentTarget.value })} style={{ flex: 1 }} />
            <Select
              label={`Tool ${index + 1} approval`}
              data={approvalModes}
              value={rule.mode}
              allowDeselect={false}
              onChange={(value) => update(index, { ...rule, mode: (value ?? "never") as ApprovalMode })}
              style={{ flex: 1 }}
            />
            <ActionIcon variant="default" size="lg" mb={2} aria-label={`Remove the rule for tool ${index + 1}`} onClick={() => set("approvalRules", rules.filter((_, at) => at !== index))}>
              <span aria-hidden="true">×</span>
            </ActionIcon>
          </Group>
        ))}
        {errorOf("approvalRules") ? (
          <Text c="red.9" size="sm" role="alert">
            {errorOf("approvalRules")}
          </Text>
        ) : null}
        <Group>
          <Button variant="default" size="xs" onClick={() => set("approvalRules", [...rules, { tool: "", mode: "always" }])}>
            Add a rule for a tool
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}
