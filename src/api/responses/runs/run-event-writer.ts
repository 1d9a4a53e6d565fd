import type { ResponseStreamEvent, ResponseStreamEventBody, RunStore } from "../../../responses/index.js";
import { isUniqueViolation } from "../../../store/index.js";
import type { RunEventHub } from "./run-event-hub.js";
import { RunNotActiveError } from "./run-not-active-error.js";

/** Numbers a run's events, appends each to its log and wakes its followers. */
export class RunEventWriter {
  constructor(
    private readonly store: RunStore,
    private readonly hub: RunEventHub,
    private readonly responseId: string,
    /** The next sequence number. */
    public next: number,
  ) {}

  emit = async (body: ResponseStreamEventBody): Promise<ResponseStreamEvent> => {
    const event = { ...body, sequence_number: this.next };
    try {
      await this.store.appendEvent(this.responseId, event);
    } catch (error) {
      // Someone else ended the run meanwhile (a cancel wrote its last event).
      if (isUniqueViolation(error)) throw new RunNotActiveError(this.responseId);
      throw error;
    }
    this.next += 1;
    this.hub.notify(this.responseId);
    return event;
  };
}
