const encoder = new TextEncoder();
const done = encoder.encode("data: [DONE]\n\n");

/** Options of {@link serverSentEvents}. */
export type ServerSentEventsOptions = {
  /**
   * After the first event, events produced within this many milliseconds are written together (each remains its own
   * SSE event; only the number of socket writes changes). Defaults to 0: every event is written at once.
   */
  coalesceMs?: number | undefined;
};

/** Most events held back for one write: bounds what a crash can lose between the ledger and the socket. */
export const maximumCoalescedEvents = 8;

/**
 * JSON values as SSE `data:` events, ending with `data: [DONE]`, except after an error event (`{"error": …}`): a
 * failed stream ends without `[DONE]`, so no client takes it for a complete answer. With `inner`, parts are first mapped by that
 * transformer in the same stage (one stream hop per part instead of two: each hop costs every token a few promise
 * turns on the event loop that also drives the engine).
 */
export function serverSentEvents<INPUT = unknown>(inner?: Transformer<INPUT, unknown>, options: ServerSentEventsOptions = {}): TransformStream<INPUT, Uint8Array> {
  const coalesceMs = options.coalesceMs ?? 0;
  let output!: TransformStreamDefaultController<Uint8Array>;
  let pending = "";
  let pendingEvents = 0;
  let timer: NodeJS.Timeout | undefined;
  let written = false;
  let failed = false;
  const writePending = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    const text = pending;
    pending = "";
    pendingEvents = 0;
    try {
      output.enqueue(encoder.encode(text));
    } catch {
      // The client went away (the stream is cancelled): nothing left to write to.
    }
  };
  const write = (value: unknown) => {
    if (typeof value === "object" && value !== null && "error" in value) failed = true;
    pending += `data: ${JSON.stringify(value)}\n\n`;
    if (coalesceMs <= 0 || !written || ++pendingEvents >= maximumCoalescedEvents) {
      written = true;
      writePending();
    } else timer ??= setTimeout(writePending, coalesceMs);
  };
  const encoding: TransformStreamDefaultController<unknown> = {
    enqueue: write,
    error: (reason: unknown) => output.error(reason),
    terminate: () => output.terminate(),
    get desiredSize() {
      return output.desiredSize;
    },
  };
  return new TransformStream<INPUT, Uint8Array>({
    async start(controller) {
      output = controller;
      await inner?.start?.(encoding);
    },
    transform(value) {
      if (!inner?.transform) return write(value);
      return inner.transform(value, encoding);
    },
    async flush() {
      await inner?.flush?.(encoding);
      writePending();
      if (!failed) output.enqueue(done);
    },
  });
}
