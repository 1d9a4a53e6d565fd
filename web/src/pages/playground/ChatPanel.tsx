import { Button, Card, Group, Stack, Text, Textarea } from "@mantine/core";
import { type FormEvent, type KeyboardEvent, useCallback, useMemo, useState } from "react";
import { formatDollars, formatInteger } from "../../app/format";
import { CitationDrawer } from "./CitationDrawer";
import { usageCost } from "./cost";
import { StreamingAnswer, Transcript } from "./Messages";
import { ModelSelect } from "./ModelSelect";
import { chatRequestBody, type ParameterValues } from "./parameters";
import { RequestCodeButtons } from "./RequestCode";
import type { ChatRequestBody, Citation, PlaygroundModel, Turn, WireMessage } from "./types";
import { type StreamState, useChatStream, useStreamState } from "./use-chat-stream";

type Props = {
  models: PlaygroundModel[];
  parameters: ParameterValues;
  /** The set parameters as request fields, or null when they are invalid (the panel shows why; nothing is sent). */
  prepareFields: () => Record<string, unknown> | null;
};

let turnCounter = 0;
const nextTurnId = () => `turn-${++turnCounter}`;

function toWire(turn: Turn): WireMessage {
  return { role: turn.role, content: turn.content };
}

function assistantTurn(model: PlaygroundModel | undefined, modelId: string, state: StreamState): Turn {
  return {
    id: nextTurnId(),
    role: "assistant",
    model: modelId,
    content: state.text,
    toolCalls: state.toolCalls,
    citations: state.citations,
    usage: state.usage,
    pricing: model?.pricing ?? null,
    finishReason: state.finishReason,
    outcome: state.status === "stopped" ? "stopped" : "complete",
  };
}

function ConversationTotals({ turns }: { turns: Turn[] }) {
  let tokens = 0;
  let cost = 0;
  let priced = false;
  for (const turn of turns) {
    if (turn.role !== "assistant" || !turn.usage) continue;
    tokens += turn.usage.total_tokens;
    const turnCost = usageCost(turn.usage, turn.pricing);
    if (turnCost !== null) {
      cost += turnCost;
      priced = true;
    }
  }
  if (tokens === 0) return null;
  return (
    <Text size="sm" data-testid="conversation-totals">
      Conversation: {formatInteger(tokens)} tokens · {priced ? formatDollars(cost) : "free (no price set)"}
    </Text>
  );
}

/** A multi-turn chat with one model: the transcript, the streaming answer, Stop, and the last request as code. */
export function ChatPanel({ models, parameters, prepareFields }: Props) {
  const [modelId, setModelId] = useState<string | null>(models[0]?.id ?? null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [prompt, setPrompt] = useState("");
  const [lastRequest, setLastRequest] = useState<ChatRequestBody | null>(null);
  const [openCitation, setOpenCitation] = useState<Citation | null>(null);
  const [streamingModel, setStreamingModel] = useState<string>("");
  const stream = useChatStream();
  const status = useStreamState(stream, (state) => state.status);
  const streaming = status === "streaming";
  const model = useMemo(() => models.find((candidate) => candidate.id === modelId), [models, modelId]);
  const onOpenCitation = useCallback((citation: Citation) => setOpenCitation(citation), []);

  async function send(event?: FormEvent) {
    event?.preventDefault();
    if (!modelId || prompt.trim() === "" || streaming) return;
    const fields = prepareFields();
    if (!fields) return;
    const userTurn: Turn = { id: nextTurnId(), role: "user", content: prompt };
    const body = chatRequestBody(modelId, parameters.systemPrompt, [...turns, userTurn].map(toWire), fields);
    setTurns((current) => [...current, userTurn]);
    setPrompt("");
    setLastRequest(body);
    setStreamingModel(modelId);
    const finished = await stream.run(body);
    if (finished.status === "complete" || finished.status === "stopped") {
      setTurns((current) => [...current, assistantTurn(model, modelId, finished)]);
      stream.reset();
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) void send();
  }

  function clear() {
    stream.reset();
    setTurns([]);
  }

  return (
    <Stack gap="md">
      <Group align="flex-end" justify="space-between">
        <div style={{ minWidth: 240, flex: 1 }}>
          <ModelSelect label="Model" models={models} value={modelId} onChange={setModelId} />
        </div>
        <RequestCodeButtons body={lastRequest} />
      </Group>
      <Card withBorder padding="sm" component="section" aria-label="Conversation">
        <Stack gap="sm" data-testid="conversation">
          {turns.length === 0 && status === "idle" ? (
            <Text size="sm" c="dimmed">
              Send a message to start. Answers stream in as the model writes them.
            </Text>
          ) : null}
          <Transcript turns={turns} onOpenCitation={onOpenCitation} />
          <StreamingAnswer stream={stream} model={streamingModel} pricing={model?.pricing ?? null} onOpenCitation={onOpenCitation} />
          <ConversationTotals turns={turns} />
        </Stack>
      </Card>
      <form onSubmit={(event) => void send(event)}>
        <Stack gap="xs">
          <Textarea
            label="Message"
            description="Ctrl+Enter sends"
            autosize
            minRows={2}
            maxRows={10}
            value={prompt}
            onChange={(event) => setPrompt(event.currentTarget.value)}
            onKeyDown={onKeyDown}
          />
          <Group gap="xs">
            <Button type="submit" disabled={!modelId || prompt.trim() === "" || streaming}>
              Send
            </Button>
            <Button type="button" color="red" variant="light" disabled={!streaming} onClick={stream.stop}>
              Stop
            </Button>
            <Button type="button" variant="default" disabled={turns.length === 0 && status === "idle"} onClick={clear}>
              Clear conversation
            </Button>
          </Group>
        </Stack>
      </form>
      <CitationDrawer citation={openCitation} fallbackKnowledgeBase={parameters.knowledgeBases.length === 1 ? parameters.knowledgeBases[0] : undefined} onClose={() => setOpenCitation(null)} />
    </Stack>
  );
}
