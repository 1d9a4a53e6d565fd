import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from "node-llama-cpp";
import { scoringStepBatchFor } from "./scoring-job-batch.js";
import type { ScheduledJob } from "./sequence-scheduler.js";
import type { PromptScoreRequest } from "./types.js";

/** Evaluation options of a position whose next-token distribution is read (full vocabulary, no sampler settings). */
const scoredPosition = { generateNext: { probabilities: true } } as const;

/** Length of the longest token prefix all sequences share. */
function sharedPrefixLength(sequences: readonly (readonly number[])[]): number {
  const first = sequences[0] ?? [];
  let length = first.length;
  for (const sequence of sequences.slice(1)) {
    let index = 0;
    while (index < length && index < sequence.length && sequence[index] === first[index]) index++;
    length = index;
  }
  return length;
}

/**
 * One prompt-scoring call on one sequence, as a scheduler job. Step 1 decodes the requests' common prefix
 * (all but its last token) once; each further step erases the previous request's tokens (keeping the prefix)
 * and evaluates one request's remaining tokens from the last prefix token on, reading the full-vocabulary
 * next-token distribution (no sampler settings) at each position that predicts a scored token.
 *
 * Every evaluation goes through the context's {@link ScoringStepBatch}: the scoring jobs of one scheduler step
 * (several items in flight on several sequences) decode in one batch, in the order that keeps each sequence's
 * results identical to scoring it alone. The erase happens at the start of a step, inside that batch.
 */
export class ScoringJob implements ScheduledJob {
  private sequence: LlamaContextSequence | undefined;
  /** Shared tokens kept in the sequence between requests. */
  private readonly base: number;
  private next = -1;
  private readonly results: number[][];
  private failure: unknown;
  private isCancelled = false;
  readonly done: Promise<number[][]>;
  private settle!: { resolve: (value: number[][]) => void; reject: (error: unknown) => void };

  constructor(private readonly requests: readonly PromptScoreRequest[]) {
    const shared = sharedPrefixLength(requests.map((request) => request.tokens));
    const earliest = Math.min(...requests.map((request) => request.from));
    this.base = Math.max(0, Math.min(shared, earliest) - 1);
    this.results = requests.map(() => []);
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.done.catch(() => undefined);
  }

  get cancelled(): boolean {
    return this.isCancelled;
  }

  /** Stops after the current step; `done` rejects with `reason`. */
  cancel(reason: unknown): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    this.failure ??= reason;
    if (!this.sequence) this.released(); // never started: nothing to free
  }

  start(sequence: LlamaContextSequence): void {
    this.sequence = sequence;
  }

  async step(): Promise<boolean> {
    const sequence = this.sequence;
    if (!sequence || this.isCancelled || this.failure !== undefined) return false;
    try {
      if (this.next < 0) {
        this.next = 0;
        if (this.base > 0) {
          await scoringStepBatchFor(sequence.context).evaluate(sequence, this.requests[0]!.tokens.slice(0, this.base) as Token[]);
          return true;
        }
      }
      if (this.next >= this.requests.length) return false;
      const index = this.next++;
      await this.scoreRequest(sequence, index);
      return this.next < this.requests.length;
    } catch (error) {
      this.failure = error;
      return false;
    }
  }

  private async scoreRequest(sequence: LlamaContextSequence, index: number): Promise<void> {
    const { tokens, from } = this.requests[index]!;
    if (tokens.length <= from) return; // nothing to score
    // input[i] is tokens[base + i]; its output predicts tokens[base + i + 1].
    const input: ControlledEvaluateInputItem[] = [];
    for (let position = this.base; position < tokens.length - 1; position++) {
      const token = tokens[position] as Token;
      input.push(position + 1 >= from ? [token, scoredPosition] : token);
    }
    const outputs = await scoringStepBatchFor(sequence.context).evaluate(sequence, input, this.base);
    const values: number[] = [];
    for (let position = from - 1; position < tokens.length - 1; position++) {
      const probabilities = outputs[position - this.base]?.next.probabilities;
      const probability = probabilities?.get(tokens[position + 1] as Token) ?? 0;
      values.push(Math.log(probability));
    }
    this.results[index] = values;
  }

  async close(): Promise<void> {}

  released(): void {
    if (this.failure !== undefined) this.settle.reject(this.failure);
    else if (this.next < this.requests.length && this.requests.length > 0) this.settle.reject(new Error("scoring ended early"));
    else this.settle.resolve(this.results);
  }
}
