import { useEffect, useState, useSyncExternalStore } from "react";
import { ApiError, streamEvents } from "../../api/client";
import type { ChatRequestBody, ChatUsage, Citation, ToolCall } from "./types";

/** Where one streamed answer stands. */
export type StreamStatus = "idle" | "streaming" | "complete" | "stopped" | "failed";

export type StreamState = {
  status: StreamStatus;
  text: string;
  toolCalls: ToolCall[];
  citations: Citation[];
  usage: ChatUsage | null;
  finishReason: string | null;
  error: unknown;
};

export const idleStream: StreamState = { status: "idle", text: "", toolCalls: [], citations: [], usage: null, finishReason: null, error: null };

type ChunkDelta = { content?: string | null; tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> };
type Chunk = {
  choices?: Array<{ delta?: ChunkDelta; finish_reason?: string | null }>;
  usage?: ChatUsage | null;
  citations?: Citation[];
  error?: { message: string; code?: string | null; param?: string | null; type?: string };
};

function mergeToolCalls(calls: ToolCall[], deltas: NonNullable<ChunkDelta["tool_calls"]>): ToolCall[] {
  const merged = [...calls];
  for (const delta of deltas) {
    const current = merged[delta.index] ?? { id: undefined, name: "", arguments: "" };
    merged[delta.index] = {
      id: delta.id ?? current.id,
      name: current.name + (delta.function?.name ?? ""),
      arguments: current.arguments + (delta.function?.arguments ?? ""),
    };
  }
  return merged;
}

/** Applies one `chat.completion.chunk` (or the error event a failed stream ends with) to the draft. */
function applyChunk(draft: StreamState, chunk: Chunk): StreamState {
  if (chunk.error) {
    throw new ApiError({ status: 200, message: chunk.error.message, code: chunk.error.code ?? undefined, param: chunk.error.param ?? undefined, type: chunk.error.type });
  }
  let next = draft;
  if (chunk.citations) next = { ...next, citations: chunk.citations };
  const choice = chunk.choices?.[0];
  if (choice?.delta?.content) next = { ...next, text: next.text + choice.delta.content };
  if (choice?.delta?.tool_calls) next = { ...next, toolCalls: mergeToolCalls(next.toolCalls, choice.delta.tool_calls) };
  if (choice?.finish_reason) next = { ...next, finishReason: choice.finish_reason };
  if (chunk.usage) next = { ...next, usage: chunk.usage };
  return next;
}

const isAbort = (error: unknown) => error instanceof DOMException && error.name === "AbortError";

/**
 * One streamed chat completion at a time, as a small store. Tokens are gathered in a draft and published at most
 * once per animation frame, so a fast stream costs one render per frame, not one per token, and only components
 * that read the text re-render (see {@link useStreamState}). `stop()` aborts the fetch: the server sees the client
 * go away, frees the sequence and records the request as cancelled (billed for what it generated).
 */
export class ChatStream {
  private state: StreamState = idleStream;
  private readonly listeners = new Set<() => void>();
  private controller: AbortController | undefined;
  private frame: number | undefined;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): StreamState => this.state;

  /** Streams `body`; resolves with the final state (complete, stopped or failed), never rejects. */
  readonly run = async (body: ChatRequestBody): Promise<StreamState> => {
    this.abort();
    const controller = new AbortController();
    this.controller = controller;
    let draft: StreamState = { ...idleStream, status: "streaming" };
    this.publish(draft);
    const publishOnNextFrame = () => {
      this.frame ??= requestAnimationFrame(() => {
        this.frame = undefined;
        this.publish(draft);
      });
    };
    let finished: StreamState;
    try {
      let done = false;
      for await (const event of streamEvents("/v1/chat/completions", { body, signal: controller.signal })) {
        if (event.data === "[DONE]") {
          done = true;
          break;
        }
        draft = applyChunk(draft, JSON.parse(event.data) as Chunk);
        publishOnNextFrame();
      }
      if (!done) throw new ApiError({ status: 200, message: "The stream ended before the answer was complete." });
      finished = { ...draft, status: "complete" };
    } catch (error) {
      finished = isAbort(error) ? { ...draft, status: "stopped" } : { ...draft, status: "failed", error };
    }
    if (this.controller === controller) {
      this.controller = undefined;
      this.cancelFrame();
      this.publish(finished);
    }
    return finished;
  };

  /** Aborts the running request (Stop). */
  readonly stop = (): void => this.controller?.abort();

  /** Forgets the answer (and aborts it if it still runs) without publishing its end. */
  readonly reset = (): void => {
    this.abort();
    this.publish(idleStream);
  };

  private abort(): void {
    const controller = this.controller;
    this.controller = undefined;
    controller?.abort();
    this.cancelFrame();
  }

  private cancelFrame(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
  }

  private publish(state: StreamState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  /** Ends the request when its component goes away (the server frees the sequence). */
  readonly dispose = (): void => this.abort();
}

/** A {@link ChatStream} owned by the calling component (aborted when it unmounts). */
export function useChatStream(): ChatStream {
  const [stream] = useState(() => new ChatStream());
  useEffect(() => stream.dispose, [stream]);
  return stream;
}

/** A slice of the stream's state; the caller re-renders only when that slice changes (e.g. `status`, not every token). */
export function useStreamState<Slice>(stream: ChatStream, select: (state: StreamState) => Slice): Slice {
  return useSyncExternalStore(stream.subscribe, () => select(stream.getState()));
}
