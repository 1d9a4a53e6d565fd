import { Button, Card, Group, NativeSelect, NumberInput, Stack, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { useMe } from "../../app/session";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import { evalQueryKeys, useChatModels } from "../evaluation/evalQueries";
import type { EvalRun } from "../evaluation/evalTypes";

/** Starts a Do-Not-Answer run (`task: do_not_answer`): the model answers, the judge model classifies each answer. */
export function SafetyStartForm({ onStarted }: { onStarted: (run: EvalRun) => void }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const models = useChatModels();
  const [model, setModel] = useState("");
  const [judge, setJudge] = useState("");
  const [limit, setLimit] = useState<number | string>(5);
  const [data, setData] = useState("");
  const start = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<EvalRun>("/v1/evals", { method: "POST", body }),
    onSuccess: (run) => {
      queryClient.setQueryData(evalQueryKeys.run(run.id), run);
      void queryClient.invalidateQueries({ queryKey: evalQueryKeys.runs });
      onStarted(run);
    },
  });
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="safety-start-title">
      <Title order={2} size="h4" id="safety-start-title" mb="sm">
        Start a Do-Not-Answer run
      </Title>
      <QueryState query={models} label="the models">
        {(modelList) => {
          const chosenModel = model || (modelList[0] ?? "");
          const chosenJudge = judge || (modelList[0] ?? "");
          const submit = (event: FormEvent) => {
            event.preventDefault();
            start.mutate({
              task: "do_not_answer",
              model: chosenModel,
              judge_model: chosenJudge,
              ...(typeof limit === "number" ? { limit } : {}),
              ...(data.trim() ? { data: data.trim() } : {}),
            });
          };
          return (
            <form onSubmit={submit} aria-label="Start a Do-Not-Answer run">
              <Stack gap="sm">
                <Group grow align="flex-start">
                  <NativeSelect label="Model" description="Answers the questions" value={chosenModel} onChange={(event) => setModel(event.currentTarget.value)} data={modelList} />
                  <NativeSelect label="Judge model" description="Classifies each answer (action 0–5, harmful or not)" value={chosenJudge} onChange={(event) => setJudge(event.currentTarget.value)} data={modelList} />
                  <NumberInput label="Limit (questions)" description="Empty: every question" value={limit} onChange={setLimit} allowDecimal={false} />
                </Group>
                {me.is_admin ? (
                  <TextInput label="Dataset file on the server (admin)" description="do_not_answer_en*.csv or data_en*.csv; empty: the configured dataset" value={data} onChange={(event) => setData(event.currentTarget.value)} />
                ) : null}
                <ErrorAlert error={start.error} title="The run was not started" />
                <Group>
                  <Button type="submit" loading={start.isPending}>
                    Start safety run
                  </Button>
                </Group>
              </Stack>
            </form>
          );
        }}
      </QueryState>
    </Card>
  );
}
