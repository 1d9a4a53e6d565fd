import type { ResponseStreamEvent, ResponseStreamEventBody } from "../../responses/index.js";

const encoder = new TextEncoder();

/**
 * The SSE body of a streamed response: each event is `event: <type>` + `data: <json>` with a `sequence_number`
 * counting from 0 (no `[DONE]`, as OpenAI's Responses API). `emit` waits while the client is slow (the model is held
 * back, not buffered); once the client is gone, events are dropped and the producer runs on to record the response.
 */
export class ResponseEventStream {
  readonly body: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private sequenceNumber = 0;
  private gone = false;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor() {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.resume(),
        cancel: () => {
          this.gone = true;
          this.resume();
        },
      },
      { highWaterMark: 8 },
    );
  }

  /** Whether the client went away. */
  get clientGone(): boolean {
    return this.gone;
  }

  /** Sends one event (numbered here). */
  emit = async (event: ResponseStreamEventBody): Promise<ResponseStreamEvent> => {
    const numbered = { ...event, sequence_number: this.sequenceNumber++ };
    if (this.gone || this.closed) return numbered;
    this.controller.enqueue(encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(numbered)}\n\n`));
    while (!this.gone && (this.controller.desiredSize ?? 0) <= 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return numbered;
  };

  /** Ends the body. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.gone) this.controller.close();
  }

  private resume(): void {
    this.wake?.();
    this.wake = undefined;
  }
}
