import { Alert, Grid, Group, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useCallback, useRef, useState } from "react";
import { api } from "../../api/client";
import type { List } from "../../api/types";
import { QueryState } from "../../components/QueryState";
import { ChatPanel } from "./ChatPanel";
import { ComparePanel } from "./ComparePanel";
import { emptyParameters, type ParameterProblem, parameterFields, type ParameterValues } from "./parameters";
import { ParametersPanel } from "./ParametersPanel";
import type { PlaygroundModel } from "./types";

const routeApi = getRouteApi("/playground");

/**
 * Chat with streaming, or compare 2–4 models on one prompt; shared parameters; knowledge bases with citations; Stop;
 * the last request as curl or OpenAI SDK code. Only chat models are offered (`kind` of `GET /v1/models`).
 */
export function PlaygroundPage() {
  const { mode } = routeApi.useSearch();
  const navigate = routeApi.useNavigate();
  const [parameters, setParameters] = useState<ParameterValues>(emptyParameters);
  const [problems, setProblems] = useState<ParameterProblem[]>([]);
  const parametersRef = useRef(parameters);
  parametersRef.current = parameters;
  const models = useQuery({
    queryKey: ["playground", "models"],
    queryFn: ({ signal }) => api<List<PlaygroundModel>>("/v1/models", { signal }),
  });

  const onParametersChange = useCallback((patch: Partial<ParameterValues>) => {
    setParameters((current) => ({ ...current, ...patch }));
    setProblems([]);
  }, []);

  /** The request fields of the parameters, or null (and the problems shown) when tools or the schema are invalid. */
  const prepareFields = useCallback((): Record<string, unknown> | null => {
    const result = parameterFields(parametersRef.current);
    setProblems(result.ok ? [] : result.problems);
    return result.ok ? result.fields : null;
  }, []);

  const comparing = mode === "compare";
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Playground</Title>
        <SegmentedControl
          aria-label="Playground mode"
          value={comparing ? "compare" : "chat"}
          onChange={(value) => void navigate({ search: value === "compare" ? { mode: "compare" } : {} })}
          data={[
            { value: "chat", label: "Chat" },
            { value: "compare", label: "Compare models" },
          ]}
        />
      </Group>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="sm">
            {problems.length > 0 ? (
              <Alert color="red" title="Nothing was sent: fix the parameters first" role="alert">
                {problems.map((problem) => (
                  <Text key={problem.field} size="sm">
                    {problem.message}
                  </Text>
                ))}
              </Alert>
            ) : null}
            <QueryState query={models} label="models">
              {(list) => {
                const chatModels = list.data.filter((model) => model.kind === "chat");
                if (chatModels.length === 0) return <Text>No chat model is available to this key.</Text>;
                return comparing ? (
                  <ComparePanel models={chatModels} parameters={parameters} prepareFields={prepareFields} />
                ) : (
                  <ChatPanel models={chatModels} parameters={parameters} prepareFields={prepareFields} />
                );
              }}
            </QueryState>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <ParametersPanel values={parameters} onChange={onParametersChange} problems={problems} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
