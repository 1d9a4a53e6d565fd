import type { LlamaContext } from "node-llama-cpp";

/** Longest time a batch waits for stragglers, so a stalled sequence never blocks the others. */
const maximumHoldMilliseconds = 1;

/**
 * A node-llama-cpp `batching.dispatchSchedule` that acts as a barrier: a decode batch is held until
 * every sequence of the current scheduler step has queued its evaluation (or ~1 ms has passed), so
 * active sequences decode together in one batch instead of drifting apart.
 */
export class LockstepDispatch {
  private expected = 0;
  private context: LlamaContext | undefined;
  private dispatched: (() => void) | undefined;

  /** The function to pass as `batching.dispatchSchedule`. */
  readonly schedule = (dispatch: () => void): void => {
    const deadline = performance.now() + maximumHoldMilliseconds;
    const check = (): void => {
      if (this.queuedSequences() >= this.expected || performance.now() >= deadline) {
        dispatch();
        this.dispatched?.();
      } else setImmediate(check);
    };
    // Every expected sequence is already queued (always so at concurrency 1): decode now rather than after a turn
    // of the event loop, whose other work (HTTP, metering) would otherwise run first, on the critical path.
    if (this.expected > 0 && this.queuedSequences() >= this.expected) check();
    else setImmediate(check);
  };

  attach(context: LlamaContext): void {
    this.context = context;
  }

  /** Calls `listener` right after each batch is dispatched (while it decodes). */
  onDispatched(listener: () => void): void {
    this.dispatched = listener;
  }

  /** Sets how many sequences the next batch should contain. */
  expect(sequences: number): void {
    this.expected = sequences;
  }

  private queuedSequences(): number {
    // node-llama-cpp keeps the set of sequences with a queued decode internally; without it, fall back
    // to one event-loop turn (all evaluations of a step are issued in the same tick).
    const queued = (this.context as unknown as { _queuedDecodeSequenceIds?: Set<number> } | undefined)?._queuedDecodeSequenceIds;
    return queued?.size ?? Number.POSITIVE_INFINITY;
  }
}
