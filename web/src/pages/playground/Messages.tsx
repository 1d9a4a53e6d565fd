import { Alert, Badge, Group, Paper, Stack, Text } from "@mantine/core";
import { memo } from "react";
import { errorMessage } from "../../api/client";
import { CitationList } from "./CitationList";
import { Markdown } from "./Markdown";
import { ToolCallList } from "./ToolCallList";
import { type ChatStream, type StreamState, useStreamState } from "./use-chat-stream";
import type { Citation, ModelPricing, Turn } from "./types";
import { UsageLine } from "./UsageLine";

type OpenCitation = (citation: Citation) => void;

/** One finished turn. Memoised: while another answer streams, finished turns are not rendered again. */
export const TurnView = memo(function TurnView({ turn, onOpenCitation }: { turn: Turn; onOpenCitation: OpenCitation }) {
  if (turn.role === "user") {
    return (
      <Paper withBorder p="sm" component="article" aria-label="You wrote" data-testid="user-message">
        <Text size="xs" fw={600} c="dimmed">
          You
        </Text>
        <Text style={{ whiteSpace: "pre-wrap" }}>{turn.content}</Text>
      </Paper>
    );
  }
  return (
    <Paper withBorder p="sm" component="article" aria-label={`Answer of ${turn.model}`} data-testid="assistant-message">
      <Stack gap="xs">
        <Group gap="xs">
          <Text size="xs" fw={600} c="dimmed">
            {turn.model}
          </Text>
          {turn.outcome === "stopped" ? (
            <Badge size="sm" color="orange" variant="light">
              Stopped
            </Badge>
          ) : null}
        </Group>
        {turn.content ? <Markdown text={turn.content} streaming={false} /> : null}
        <ToolCallList toolCalls={turn.toolCalls} />
        <CitationList citations={turn.citations} onOpen={onOpenCitation} />
        {turn.outcome === "stopped" ? (
          <Text size="xs" c="dimmed">
            Stopped: the server ended the request and bills the tokens generated until then.
          </Text>
        ) : (
          <UsageLine usage={turn.usage} pricing={turn.pricing} />
        )}
      </Stack>
    </Paper>
  );
});

/** The finished turns; memoised on the (immutable) list, so a streaming token never re-renders it. */
export const Transcript = memo(function Transcript({ turns, onOpenCitation }: { turns: Turn[]; onOpenCitation: OpenCitation }) {
  return (
    <>
      {turns.map((turn) => (
        <TurnView key={turn.id} turn={turn} onOpenCitation={onOpenCitation} />
      ))}
    </>
  );
});

const statusLabel: Record<StreamState["status"], string> = {
  idle: "",
  streaming: "Streaming…",
  complete: "Done",
  stopped: "Stopped",
  failed: "Failed",
};

/** The answer being streamed (or that just failed or stopped): the only part of the page that renders per frame. */
export function StreamingAnswer({ stream, model, pricing, onOpenCitation }: { stream: ChatStream; model: string; pricing: ModelPricing | null; onOpenCitation: OpenCitation }) {
  const state = useStreamState(stream, (current) => current);
  if (state.status === "idle") return null;
  return (
    <Paper withBorder p="sm" component="article" aria-label={`Answer of ${model}`} aria-busy={state.status === "streaming"} data-testid="streaming-answer">
      <Stack gap="xs">
        <Group gap="xs">
          <Text size="xs" fw={600} c="dimmed">
            {model}
          </Text>
          <Text size="xs" data-testid="stream-status">
            {statusLabel[state.status]}
          </Text>
        </Group>
        {state.text ? <Markdown text={state.text} streaming={state.status === "streaming"} /> : null}
        <ToolCallList toolCalls={state.toolCalls} />
        <CitationList citations={state.citations} onOpen={onOpenCitation} />
        {state.status === "stopped" ? (
          <Text size="xs" c="dimmed">
            Stopped: the server ended the request and bills the tokens generated until then.
          </Text>
        ) : null}
        {state.status === "failed" ? (
          <Alert color="red" title="The request failed" role="alert">
            {errorMessage(state.error)}
          </Alert>
        ) : null}
        <UsageLine usage={state.usage} pricing={pricing} />
      </Stack>
    </Paper>
  );
}
