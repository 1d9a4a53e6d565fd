import { Card, MultiSelect, NumberInput, SimpleGrid, Stack, TagsInput, Text, Textarea, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { List } from "../../api/types";
import { ErrorAlert } from "../../components/QueryState";
import type { ParameterProblem, ParameterValues } from "./parameters";
import type { KnowledgeBaseSummary } from "./types";

type Props = {
  values: ParameterValues;
  onChange: (patch: Partial<ParameterValues>) => void;
  problems: ParameterProblem[];
};

const monospaceInput = { input: { fontFamily: "var(--mantine-font-family-monospace)" } };

const toolsPlaceholder = '[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]';

function KnowledgeBasePicker({ value, onChange }: { value: string[]; onChange: (value: string[]) => void }) {
  const knowledgeBases = useQuery({
    queryKey: ["playground", "knowledge-bases"],
    queryFn: ({ signal }) => api<List<KnowledgeBaseSummary>>("/v1/knowledge-bases", { signal }),
  });
  const data = (knowledgeBases.data?.data ?? []).map((knowledgeBase) => ({
    value: knowledgeBase.name,
    label: `${knowledgeBase.name} (${knowledgeBase.document_count} documents)`,
    disabled: knowledgeBase.status === "unusable",
  }));
  return (
    <Stack gap={4}>
      <MultiSelect
        label="Knowledge bases"
        description="Answers cite numbered passages from these"
        placeholder={data.length === 0 ? "None available to this key" : "Attach knowledge bases"}
        data={data}
        value={value}
        onChange={onChange}
        clearable
        searchable
        disabled={knowledgeBases.isPending}
      />
      <ErrorAlert error={knowledgeBases.error} title="Could not load knowledge bases" />
    </Stack>
  );
}

/** The request's parameters; an empty field is left out of the request, a set one is sent exactly as entered. */
export function ParametersPanel({ values, onChange, problems }: Props) {
  const problemOf = (field: ParameterProblem["field"]) => problems.find((problem) => problem.field === field)?.message;
  const number = (value: string | number): number | "" => (typeof value === "number" ? value : "");
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="playground-parameters">
      <Title order={2} size="h4" mb="xs" id="playground-parameters">
        Parameters
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        Empty fields are not sent; the model's defaults apply.
      </Text>
      <Stack gap="sm">
        <Textarea label="System prompt" autosize minRows={2} maxRows={8} value={values.systemPrompt} onChange={(event) => onChange({ systemPrompt: event.currentTarget.value })} />
        <SimpleGrid cols={2} spacing="sm">
          <NumberInput label="Temperature" min={0} max={2} step={0.1} decimalScale={3} value={values.temperature} onChange={(value) => onChange({ temperature: number(value) })} />
          <NumberInput label="Top P" min={0} max={1} step={0.05} decimalScale={3} value={values.topP} onChange={(value) => onChange({ topP: number(value) })} />
          <NumberInput label="Max tokens" min={1} step={16} allowDecimal={false} allowNegative={false} value={values.maxTokens} onChange={(value) => onChange({ maxTokens: number(value) })} />
          <NumberInput label="Seed" step={1} allowDecimal={false} value={values.seed} onChange={(value) => onChange({ seed: number(value) })} />
        </SimpleGrid>
        <TagsInput label="Stop sequences" description="Up to 4; press Enter after each one" maxTags={4} value={values.stop} onChange={(stop) => onChange({ stop })} clearable />
        <Textarea
          label="JSON schema"
          description="The answer must match it (response_format json_schema)"
          placeholder='{"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}'
          autosize
          minRows={2}
          maxRows={10}
          styles={monospaceInput}
          value={values.jsonSchema}
          error={problemOf("jsonSchema")}
          onChange={(event) => onChange({ jsonSchema: event.currentTarget.value })}
        />
        <Textarea
          label="Tools"
          description="A JSON array of function tools"
          placeholder={toolsPlaceholder}
          autosize
          minRows={2}
          maxRows={12}
          styles={monospaceInput}
          value={values.tools}
          error={problemOf("tools")}
          onChange={(event) => onChange({ tools: event.currentTarget.value })}
        />
        <KnowledgeBasePicker value={values.knowledgeBases} onChange={(knowledgeBases) => onChange({ knowledgeBases })} />
      </Stack>
    </Card>
  );
}
