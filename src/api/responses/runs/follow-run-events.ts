import type { RunStore } from "../../../responses/index.js";
import type { RunEventHub } from "./run-event-hub.js";

const encoder = new TextEncoder();
/** Longest wait for a wake-up before the log is read again (writers in other processes are only seen by polling). */
const pollMs = 250;
const batch = 256;

export type FollowRunEventsOptions = {
  store: RunStore;
  hub: RunEventHub;
  responseId: string;
  /** Send the events numbered after this one (-1: all). */
  startingAfter: number;
  /** Called when the client goes away before the end (a foreground run is cancelled then). */
  onClientGone?: (() => void) | undefined;
};

/**
 * The SSE body of a run's events from its log: the logged ones after `startingAfter`, then each new one as it is
 * written, until the run's last event (completed, incomplete, failed, or a pause for approval). A slow client holds
 * nothing back: the run writes its log regardless and the reader catches up from the table.
 */
export function followRunEvents(options: FollowRunEventsOptions): ReadableStream<Uint8Array> {
  const { store, hub, responseId } = options;
  let last = options.startingAfter;
  let ended = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const version = hub.version(responseId);
          const events = await store.eventsAfter(responseId, last, batch);
          if (events.length > 0) {
            for (const event of events) {
              controller.enqueue(encoder.encode(`event: ${event.type}\ndata: ${event.payload}\n\n`));
              last = event.sequenceNumber;
              if (isLastEvent(event.type, event.payload)) {
                ended = true;
                controller.close();
                return;
              }
            }
            return;
          }
          const state = await store.state(responseId);
          if (!state || (state.status !== "queued" && state.status !== "in_progress") || state.runStatus === "awaiting_approval") {
            // Nothing after `last` and nothing more coming (a resumed stream that starts after the end).
            ended = true;
            controller.close();
            return;
          }
          await hub.wait(responseId, version, pollMs);
        }
      },
      cancel() {
        if (!ended) options.onClientGone?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function isLastEvent(type: string, payload: string): boolean {
  if (type === "response.completed" || type === "response.incomplete" || type === "response.failed") return true;
  return type === "response.in_progress" && (JSON.parse(payload) as { response?: { run_status?: string } }).response?.run_status === "awaiting_approval";
}
