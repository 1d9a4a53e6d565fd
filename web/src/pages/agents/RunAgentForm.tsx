import { Autocomplete, Button, Group, NumberInput, SimpleGrid, Stack, Textarea } from "@mantine/core";
import { JsonTextarea } from "./JsonTextarea";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import type { StartedResponse } from "./agent-types";
import { useModelNames } from "./AgentForm";

type Field = "input" | "version" | "model" | "maxOutputTokens" | "extra";

function fieldOfParam(param: string | undefined): Field {
  if (!param) return "extra";
  if (param.startsWith("input")) return "input";
  if (param === "agent.version") return "version";
  if (param === "model") return "model";
  if (param === "max_output_tokens") return "maxOutputTokens";
  return "extra";
}

/**
 * Runs the agent on a task in the background (`POST /v1/responses` with `agent: {id, version}` and `background: true`)
 * and opens the run's page. More request fields (tool_choice, user, metadata, …) go in as JSON.
 */
export function RunAgentForm({ agentId, latestVersion, version: initialVersion }: { agentId: string; latestVersion: number; version?: number | undefined }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const models = useModelNames();
  const [input, setInput] = useState("");
  const [version, setVersion] = useState<number | string>(initialVersion ?? latestVersion);
  const [model, setModel] = useState("");
  const [maxOutputTokens, setMaxOutputTokens] = useState<number | string>("");
  const [extra, setExtra] = useState("");
  const [localError, setLocalError] = useState<{ field: Field; message: string } | null>(null);
  const start = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<StartedResponse>("/v1/responses", { method: "POST", body }),
    onSuccess: async (response) => {
      await queryClient.invalidateQueries({ queryKey: ["runs"] });
      await navigate({ to: "/agents/runs/$runId", params: { runId: response.id } });
    },
  });
  const apiField = start.error instanceof ApiError ? fieldOfParam(start.error.param) : undefined;
  const errorOf = (field: Field) => (localError?.field === field ? localError.message : apiField === field ? (start.error as ApiError).message : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setLocalError(null);
    start.reset();
    if (input.trim() === "") return setLocalError({ field: "input", message: "Write the task for the agent." });
    let more: Record<string, unknown> = {};
    if (extra.trim() !== "") {
      try {
        const parsed = JSON.parse(extra) as unknown;
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("it must be a JSON object");
        more = parsed as Record<string, unknown>;
      } catch (error) {
        return setLocalError({ field: "extra", message: `Not a JSON object: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    start.mutate({
      ...more,
      agent: { id: agentId, version: version === "" ? latestVersion : Number(version) },
      input,
      background: true,
      ...(model.trim() ? { model: model.trim() } : {}),
      ...(maxOutputTokens === "" ? {} : { max_output_tokens: Number(maxOutputTokens) }),
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Run the agent">
      <Stack>
        <Textarea label="Task" required autosize minRows={2} maxRows={10} value={input} onChange={(event) => setInput(event.currentTarget.value)} error={errorOf("input")} />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <NumberInput label="Version" min={1} max={latestVersion} allowDecimal={false} value={version} onChange={setVersion} error={errorOf("version")} />
          <Autocomplete label="Model (optional)" description="Overrides the agent's model" data={models.data ?? []} value={model} onChange={setModel} error={errorOf("model")} />
          <NumberInput label="Max output tokens (optional)" min={1} allowDecimal={false} value={maxOutputTokens} onChange={setMaxOutputTokens} error={errorOf("maxOutputTokens")} />
        </SimpleGrid>
        <JsonTextarea
          label="More request fields (JSON, optional)"
          description='Any other POST /v1/responses field, e.g. {"tool_choice": {"type": "function", "name": "lookup"}, "user": "u1"}'
          autosize
          minRows={2}
          maxRows={10}
          value={extra}
          onChange={setExtra}
          error={errorOf("extra")}
        />
        {apiField === "extra" || (start.error && !(start.error instanceof ApiError)) ? <ErrorAlert error={start.error} title="The run did not start" /> : null}
        <Group>
          <Button type="submit" loading={start.isPending}>
            Run
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
