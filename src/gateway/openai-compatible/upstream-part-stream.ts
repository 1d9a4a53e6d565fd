import type { LanguageModelStreamPart } from "../../spec/index.js";
import { createSseDataStream } from "./sse-data-stream.js";
import type { StreamChunkHandler } from "./stream-chunk-handler.js";

export type UpstreamPartStreamOptions = {
  /** The upstream's SSE response body; `null` is treated as a stream cut before it began. */
  body: ReadableStream<Uint8Array> | null;
  handler: StreamChunkHandler;
  /** Parts emitted before any upstream data (`stream-start`, `response-metadata`). */
  leadingParts: LanguageModelStreamPart[];
  /** The call's signal: a read failing after it aborted ends the stream with finish `cancelled`. */
  abortSignal: AbortSignal | undefined;
};

/**
 * The stream parts of one upstream response. Read failures (connection reset) become an `error` part
 * rather than an exception; cancelling the returned stream cancels the body, closing the connection.
 */
export function upstreamPartStream(options: UpstreamPartStreamOptions): ReadableStream<LanguageModelStreamPart> {
  const { handler } = options;
  const reader = options.body?.pipeThrough(createSseDataStream()).getReader();
  const finishWith = (controller: ReadableStreamDefaultController<LanguageModelStreamPart>, parts: LanguageModelStreamPart[]): void => {
    for (const part of parts) controller.enqueue(part);
    controller.close();
  };
  return new ReadableStream<LanguageModelStreamPart>({
    start(controller) {
      for (const part of options.leadingParts) controller.enqueue(part);
    },
    async pull(controller) {
      if (!reader) return finishWith(controller, handler.end());
      // Keep reading until something is enqueued: a pull that enqueues nothing would never be repeated.
      for (;;) {
        let next: ReadableStreamReadResult<string>;
        try {
          next = await reader.read();
        } catch (error) {
          return finishWith(controller, options.abortSignal?.aborted ? [handler.cancelled()] : handler.fail(error));
        }
        if (next.done) return finishWith(controller, handler.end());
        const parts = handler.handle(next.value);
        if (parts.some((part) => part.type === "error")) {
          reader.cancel().catch(() => {});
          return finishWith(controller, parts);
        }
        for (const part of parts) controller.enqueue(part);
        if (parts.length > 0) return;
      }
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  });
}
