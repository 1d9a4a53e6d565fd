import { Button, Card, Group, SimpleGrid, Stack, Text, Textarea } from "@mantine/core";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { CitationDrawer } from "./CitationDrawer";
import { StreamingAnswer } from "./Messages";
import { ModelSelect } from "./ModelSelect";
import { chatRequestBody, type ParameterValues } from "./parameters";
import { RequestCodeButtons } from "./RequestCode";
import type { ChatRequestBody, Citation, PlaygroundModel } from "./types";
import { useChatStream, useStreamState } from "./use-chat-stream";

type Props = {
  models: PlaygroundModel[];
  parameters: ParameterValues;
  prepareFields: () => Record<string, unknown> | null;
};

/** A request for one pane: every "Send to all" makes a new one (its `round`), which starts the pane's stream. */
type PaneRequest = { round: number; body: ChatRequestBody };

const minimumPanes = 2;
const maximumPanes = 4;

type PaneProps = {
  paneKey: number;
  index: number;
  models: PlaygroundModel[];
  modelId: string | null;
  onModelChange: (model: string | null) => void;
  onRemove: (() => void) | undefined;
  request: PaneRequest | undefined;
  stopRound: number;
  onOpenCitation: (citation: Citation) => void;
  onStreamingChange: (paneKey: number, streaming: boolean) => void;
};

/** One model's answer: its own stream, so a failing or stopped pane leaves the others running. */
function ComparePane({ paneKey, index, models, modelId, onModelChange, onRemove, request, stopRound, onOpenCitation, onStreamingChange }: PaneProps) {
  const stream = useChatStream();
  const { run, stop } = stream;
  const streaming = useStreamState(stream, (state) => state.status) === "streaming";
  const pricing = models.find((model) => model.id === request?.body.model)?.pricing ?? null;

  useEffect(() => {
    if (request) void run(request.body);
  }, [request, run]);
  useEffect(() => {
    if (stopRound > 0) stop();
  }, [stopRound, stop]);
  useEffect(() => onStreamingChange(paneKey, streaming), [paneKey, streaming, onStreamingChange]);

  const label = `Model ${index + 1}`;
  return (
    <Card withBorder padding="sm" component="section" aria-label={`Pane ${index + 1}`} data-testid={`compare-pane-${index + 1}`}>
      <Stack gap="sm">
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <div style={{ flex: 1, minWidth: 0 }}>
            <ModelSelect label={label} models={models} value={modelId} onChange={onModelChange} />
          </div>
          {onRemove ? (
            <Button variant="subtle" size="xs" onClick={onRemove} disabled={streaming} aria-label={`Remove ${label.toLowerCase()}`}>
              Remove
            </Button>
          ) : null}
        </Group>
        {request ? (
          <StreamingAnswer stream={stream} model={request.body.model} pricing={pricing} onOpenCitation={onOpenCitation} />
        ) : (
          <Text size="sm" c="dimmed">
            Waiting for a prompt.
          </Text>
        )}
        <Group gap="xs">
          <Button size="xs" color="red" variant="light" disabled={!streaming} onClick={stop}>
            Stop
          </Button>
          <RequestCodeButtons body={request?.body ?? null} label={request?.body.model} />
        </Group>
      </Stack>
    </Card>
  );
}

type Pane = { key: number; model: string | null };

let paneCounter = 0;
const newPane = (model: string | null): Pane => ({ key: ++paneCounter, model });

/** The same prompt to 2–4 models side by side, streaming concurrently; each pane succeeds, stops or fails alone. */
export function ComparePanel({ models, parameters, prepareFields }: Props) {
  const [panes, setPanes] = useState<Pane[]>(() => [newPane(models[0]?.id ?? null), newPane(models[1]?.id ?? models[0]?.id ?? null)]);
  const [prompt, setPrompt] = useState("");
  const [requests, setRequests] = useState<Record<number, PaneRequest>>({});
  const [stopRound, setStopRound] = useState(0);
  const [streamingPanes, setStreamingPanes] = useState<Record<number, boolean>>({});
  const [openCitation, setOpenCitation] = useState<Citation | null>(null);
  const anyStreaming = panes.some((pane) => streamingPanes[pane.key] === true);
  const incomplete = panes.some((pane) => pane.model === null);
  const onOpenCitation = useCallback((citation: Citation) => setOpenCitation(citation), []);
  const onStreamingChange = useCallback((key: number, streaming: boolean) => setStreamingPanes((current) => ({ ...current, [key]: streaming })), []);

  function send(event: FormEvent) {
    event.preventDefault();
    if (prompt.trim() === "" || anyStreaming || incomplete) return;
    const fields = prepareFields();
    if (!fields) return;
    const round = Date.now();
    const next: Record<number, PaneRequest> = {};
    for (const pane of panes) {
      if (pane.model !== null) next[pane.key] = { round, body: chatRequestBody(pane.model, parameters.systemPrompt, [{ role: "user", content: prompt }], fields) };
    }
    setRequests(next);
  }

  const setModel = (key: number, model: string | null) => setPanes((current) => current.map((pane) => (pane.key === key ? { ...pane, model } : pane)));
  const remove = (key: number) => setPanes((current) => current.filter((pane) => pane.key !== key));

  return (
    <Stack gap="md">
      <form onSubmit={send}>
        <Stack gap="xs">
          <Textarea label="Prompt" description="Sent to every model below with the same parameters" autosize minRows={2} maxRows={8} value={prompt} onChange={(event) => setPrompt(event.currentTarget.value)} />
          <Group gap="xs">
            <Button type="submit" disabled={prompt.trim() === "" || anyStreaming || incomplete}>
              Send to all
            </Button>
            <Button type="button" color="red" variant="light" disabled={!anyStreaming} onClick={() => setStopRound((round) => round + 1)}>
              Stop all
            </Button>
            <Button type="button" variant="default" disabled={panes.length >= maximumPanes || anyStreaming} onClick={() => setPanes((current) => [...current, newPane(models[0]?.id ?? null)])}>
              Add model
            </Button>
          </Group>
        </Stack>
      </form>
      <SimpleGrid cols={{ base: 1, sm: 2, xl: panes.length }} spacing="md">
        {panes.map((pane, index) => (
          <ComparePane
            key={pane.key}
            paneKey={pane.key}
            index={index}
            models={models}
            modelId={pane.model}
            onModelChange={(model) => setModel(pane.key, model)}
            onRemove={panes.length > minimumPanes ? () => remove(pane.key) : undefined}
            request={requests[pane.key]}
            stopRound={stopRound}
            onOpenCitation={onOpenCitation}
            onStreamingChange={onStreamingChange}
          />
        ))}
      </SimpleGrid>
      <CitationDrawer citation={openCitation} fallbackKnowledgeBase={parameters.knowledgeBases.length === 1 ? parameters.knowledgeBases[0] : undefined} onClose={() => setOpenCitation(null)} />
    </Stack>
  );
}
