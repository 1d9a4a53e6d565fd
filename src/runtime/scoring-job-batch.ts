import type { ControlledEvaluateInputItem, ControlledEvaluateIndexOutput, LlamaContext, LlamaContextSequence } from "node-llama-cpp";

/** `controlledEvaluate`'s result: an output at the indexes that asked for one. */
export type ScoringOutputs = (ControlledEvaluateIndexOutput | undefined)[];

type Entry = {
  sequence: LlamaContextSequence;
  input: ControlledEvaluateInputItem[];
  /** Token range erased from the sequence right before its evaluation (the previous candidate). */
  eraseFrom: number | undefined;
  resolve: (outputs: ScoringOutputs) => void;
  reject: (error: unknown) => void;
};

/** node-llama-cpp's internal sequence id; undefined when a future version hides it. */
function sequenceIdOf(sequence: LlamaContextSequence): number | undefined {
  const id = (sequence as unknown as { _sequenceId?: unknown })._sequenceId;
  return typeof id === "number" ? id : undefined;
}

/**
 * Puts the prompt-scoring evaluations (multi-token, an output at every scored position) of one scheduler step on
 * several sequences into ONE decode, safely. Entries registered in the same tick are flushed together: each
 * sequence's pending erase runs first, then every `controlledEvaluate` is issued in one synchronous loop in
 * DESCENDING sequence-id order, so they land in the same dispatch in that order.
 *
 * Why the order matters: with several sequences, llama.cpp (non-unified KV cache) splits a batch into ubatches with
 * `split_equal`, which joins only runs of consecutive ascending sequence ids and takes the same number of tokens from
 * each. With unequal lengths the outputs come back out of order, and llama.cpp reorders them lazily inside the first
 * `llama_get_logits_ith` call. node-llama-cpp samples each sequence's outputs on its own libuv worker, so several
 * workers run that reorder at once and read swapped rows: log-probabilities off by tens of nats, more often under
 * CPU load (reproduced; it disappears with UV_THREADPOOL_SIZE=1). In descending order no two sequences share a
 * ubatch, outputs stay in order, nothing is reordered, and every sequence computes exactly the ubatch it would
 * compute alone: results are bit-for-bit those of one-at-a-time scoring.
 *
 * Flushes never overlap (the next waits for the previous one's evaluations), so entries of different flushes never
 * share a dispatch. When the internal sequence id is unavailable, entries are evaluated one at a time.
 * Evaluations that are not registered here (token-by-token generation) can still share a dispatch; see the
 * runtime notes for the remaining caveat.
 */
export class ScoringStepBatch {
  private pending: Entry[] = [];
  private flushScheduled = false;
  private previous: Promise<void> = Promise.resolve();

  /**
   * Registers one evaluation; call synchronously within the scheduler step so that the step's evaluations are
   * flushed together. `eraseFrom`: erase the sequence's tokens from this index first (when it holds more).
   */
  evaluate(sequence: LlamaContextSequence, input: ControlledEvaluateInputItem[], eraseFrom?: number): Promise<ScoringOutputs> {
    return new Promise((resolve, reject) => {
      this.pending.push({ sequence, input, eraseFrom, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        const entries = this.pending;
        this.pending = [];
        const run = this.previous.then(() => this.flush(entries));
        this.previous = run.catch(() => undefined);
      });
    });
  }

  private async flush(entries: Entry[]): Promise<void> {
    const ready = await Promise.all(
      entries.map(async (entry) => {
        try {
          const { sequence, eraseFrom } = entry;
          if (eraseFrom !== undefined && sequence.nextTokenIndex > eraseFrom) {
            await sequence.eraseContextTokenRanges([{ start: eraseFrom, end: sequence.nextTokenIndex }]);
          }
          return entry;
        } catch (error) {
          entry.reject(error);
          return undefined;
        }
      }),
    );
    const live = ready.filter((entry): entry is Entry => entry !== undefined);
    const ids = live.map((entry) => sequenceIdOf(entry.sequence));
    if (ids.some((id) => id === undefined)) {
      for (const entry of live) await entry.sequence.controlledEvaluate(entry.input).then(entry.resolve, entry.reject);
      return;
    }
    const ordered = live.map((entry, index) => ({ entry, id: ids[index]! })).sort((left, right) => right.id - left.id);
    // One synchronous loop: the calls reach node-llama-cpp's decode queue in this order, in the same dispatch.
    const running = ordered.map(({ entry }) => entry.sequence.controlledEvaluate(entry.input).then(entry.resolve, entry.reject));
    await Promise.all(running);
  }
}

const batches = new WeakMap<LlamaContext, ScoringStepBatch>();

/** The scoring batch of a context (one per context, created on first use). */
export function scoringStepBatchFor(context: LlamaContext): ScoringStepBatch {
  let batch = batches.get(context);
  if (!batch) batches.set(context, (batch = new ScoringStepBatch()));
  return batch;
}
