import { Button, Card, Group, NativeSelect, NumberInput, Radio, Stack, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { useMe } from "../../app/session";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import { evalQueryKeys, useChatModels, useEvalTasks } from "./evalQueries";
import type { EvalRun } from "./evalTypes";

/** A small self-contained definition (inline records work for every key), offered as a starting point. */
export const exampleTaskDefinition = `name: capitals
description: Capital cities
dataset:
  records:
    - { country: France, choices: [Paris, Rome], gold: 0 }
    - { country: Italy, choices: [Paris, Rome], gold: 1 }
    - { country: Peru, choices: [Lima, Quito], gold: Lima }
prompt: { template: "The capital of {{country}} is" }
scorer: { type: loglikelihood-multiple-choice, choices: choices, gold: "{{gold}}" }
tags: { dimension: industry, capabilities: [knowledge] }
`;

type TaskSource = "built-in" | "custom";

/** The request body of `POST /v1/evals` from the form's fields (empty fields are left out: the API's defaults apply). */
function runRequest(fields: { source: TaskSource; task: string; definition: string; model: string; judge: string; limit: number | string; data: string; scoring: string }) {
  return {
    ...(fields.source === "built-in" ? { task: fields.task } : { task_definition: fields.definition }),
    model: fields.model,
    ...(fields.judge ? { judge_model: fields.judge } : {}),
    ...(typeof fields.limit === "number" ? { limit: fields.limit } : {}),
    ...(fields.data.trim() ? { data: fields.data.trim() } : {}),
    ...(fields.scoring ? { scoring: fields.scoring } : {}),
  };
}

/** Starts a run of a built-in task or of a custom definition (YAML or JSON text, parsed and checked by the server). */
export function StartRunForm({ onStarted }: { onStarted: (run: EvalRun) => void }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const tasks = useEvalTasks();
  const models = useChatModels();
  const [source, setSource] = useState<TaskSource>("built-in");
  const [task, setTask] = useState("");
  const [definition, setDefinition] = useState(exampleTaskDefinition);
  const [model, setModel] = useState("");
  const [judge, setJudge] = useState("");
  const [limit, setLimit] = useState<number | string>(5);
  const [data, setData] = useState("");
  const [scoring, setScoring] = useState("");
  const start = useMutation({
    mutationFn: (body: ReturnType<typeof runRequest>) => api<EvalRun>("/v1/evals", { method: "POST", body }),
    onSuccess: (run) => {
      queryClient.setQueryData(evalQueryKeys.run(run.id), run);
      void queryClient.invalidateQueries({ queryKey: evalQueryKeys.runs });
      onStarted(run);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate(runRequest({ source, task: task || (tasks.data?.[0]?.name ?? ""), definition, model: model || (models.data?.[0] ?? ""), judge, limit, data, scoring }));
  };
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="start-run-title">
      <Title order={2} size="h4" id="start-run-title" mb="sm">
        Start a run
      </Title>
      <QueryState query={tasks} label="the tasks">
        {(taskList) => (
          <form onSubmit={submit} aria-label="Start a run">
            <Stack gap="sm">
              <Radio.Group label="Task source" value={source} onChange={(value) => setSource(value === "custom" ? "custom" : "built-in")}>
                <Group mt={4}>
                  <Radio value="built-in" label="Built-in task" />
                  <Radio value="custom" label="Custom task definition" />
                </Group>
              </Radio.Group>
              {source === "built-in" ? (
                <NativeSelect
                  label="Task"
                  value={task || (taskList[0]?.name ?? "")}
                  onChange={(event) => setTask(event.currentTarget.value)}
                  data={taskList.map((entry) => ({ value: entry.name, label: `${entry.name} (${entry.tags.dimension}${entry.dataset_configured ? "" : ", no dataset configured"})` }))}
                  description={taskList.find((entry) => entry.name === (task || taskList[0]?.name))?.description}
                />
              ) : (
                <Textarea
                  label="Task definition (YAML or JSON)"
                  description="name, dataset (records inline; server paths need an admin key), prompt, scorer, tags.dimension: general, industry, application or safety"
                  autosize
                  minRows={8}
                  maxRows={20}
                  value={definition}
                  onChange={(event) => setDefinition(event.currentTarget.value)}
                  styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
                  spellCheck={false}
                />
              )}
              <QueryState query={models} label="the models">
                {(modelList) => (
                  <Group grow align="flex-start">
                    <NativeSelect label="Model" value={model || (modelList[0] ?? "")} onChange={(event) => setModel(event.currentTarget.value)} data={modelList} />
                    <NativeSelect
                      label="Judge model"
                      description="do_not_answer and llm-judge tasks"
                      value={judge}
                      onChange={(event) => setJudge(event.currentTarget.value)}
                      data={[{ value: "", label: "None" }, ...modelList.map((name) => ({ value: name, label: name }))]}
                    />
                  </Group>
                )}
              </QueryState>
              <Group grow align="flex-start">
                <NumberInput label="Limit (items)" description="Empty: every item" value={limit} onChange={setLimit} allowDecimal={false} />
                <NativeSelect
                  label="Scoring convention"
                  description="Log-likelihood tasks"
                  value={scoring}
                  onChange={(event) => setScoring(event.currentTarget.value)}
                  data={[
                    { value: "", label: "Task default" },
                    { value: "llama.cpp", label: "llama.cpp" },
                    { value: "lm-eval", label: "lm-eval" },
                  ]}
                />
              </Group>
              {me.is_admin && source === "built-in" ? (
                <TextInput label="Dataset file on the server (admin)" description="Empty: the task's configured dataset" value={data} onChange={(event) => setData(event.currentTarget.value)} />
              ) : null}
              <ErrorAlert error={start.error} title="The run was not started" />
              <Group>
                <Button type="submit" loading={start.isPending}>
                  Start run
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </QueryState>
    </Card>
  );
}
