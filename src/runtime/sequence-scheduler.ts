import type { LlamaContextSequence } from "node-llama-cpp";
import { OverloadedError } from "../spec/index.js";
import type { LockstepDispatch } from "./lockstep-dispatch.js";

/** One request driven by the scheduler, one token per step. */
export interface ScheduledJob {
  /** Called once the job holds a sequence. */
  start(sequence: LlamaContextSequence): void;
  /**
   * Advances by one generated token. Must issue its evaluation synchronously when called so that
   * all active jobs of a step land in the same batch. Resolves `false` once the job is finished.
   */
  step(): Promise<boolean>;
  /** Releases per-job resources (generator, grammar state). Called once, before the sequence is reused. */
  close(): Promise<void>;
  /** Called once the job's sequence is free again (the job's stream may end now). */
  released(): void;
  /** Hands parts made by the last step to the job's consumer; called right after the next decode is dispatched. */
  flush?(): void;
  /** True once the caller aborted; the scheduler then frees the sequence at the next step boundary. */
  readonly cancelled: boolean;
}

/**
 * Continuous batching over the sequences of one context. Active jobs advance in lockstep: each step
 * issues every job's next evaluation in the same tick and waits for all of them, so they decode in one
 * batch. Jobs beyond the free sequences wait in a FIFO queue of at most `maxQueue` entries.
 */
export class SequenceScheduler {
  private readonly free: LlamaContextSequence[];
  private readonly queue: ScheduledJob[] = [];
  private readonly active = new Map<ScheduledJob, LlamaContextSequence>();
  private running = false;

  constructor(
    sequences: LlamaContextSequence[],
    private readonly options: { maxQueue: number; dispatch: LockstepDispatch; onActivity: () => void },
  ) {
    this.free = [...sequences];
    // A step's output goes out once the next step's decode is running, overlapping the two.
    options.dispatch.onDispatched(() => {
      for (const job of this.active.keys()) job.flush?.();
    });
  }

  get activeSequences(): number {
    return this.active.size;
  }

  get queued(): number {
    return this.queue.length;
  }

  get busy(): boolean {
    return this.active.size > 0 || this.queue.length > 0;
  }

  /** Starts `job` now or queues it; throws OverloadedError when the queue is full. */
  submit(job: ScheduledJob): void {
    const sequence = this.queue.length === 0 ? this.free.shift() : undefined;
    if (sequence) {
      this.activate(job, sequence);
      return;
    }
    if (this.queue.length >= this.options.maxQueue) {
      throw new OverloadedError({
        message: `the model is busy: all sequences are in use and ${this.queue.length} requests are queued`,
        code: "engine_overloaded",
      });
    }
    this.queue.push(job);
    this.options.onActivity();
  }

  /** Removes a job that is still waiting; returns false when it already runs. */
  cancelQueued(job: ScheduledJob): boolean {
    const index = this.queue.indexOf(job);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    return true;
  }

  private activate(job: ScheduledJob, sequence: LlamaContextSequence): void {
    this.active.set(job, sequence);
    this.options.onActivity();
    job.start(sequence);
    void this.loop();
  }

  private async loop(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.active.size > 0) {
        const jobs = [...this.active.keys()];
        const stepping = jobs.filter((job) => !job.cancelled);
        this.options.dispatch.expect(stepping.length);
        const results = await Promise.all(jobs.map((job) => (job.cancelled ? Promise.resolve(false) : job.step().catch(() => false))));
        const finished = jobs.filter((job, index) => !results[index] || job.cancelled);
        await Promise.all(finished.map((job) => this.release(job)));
      }
    } finally {
      this.running = false;
    }
  }

  private async release(job: ScheduledJob): Promise<void> {
    const sequence = this.active.get(job);
    if (!sequence) return;
    job.flush?.();
    await job.close().catch(() => undefined);
    await sequence.clearHistory().catch(() => undefined);
    this.active.delete(job);
    const next = this.queue.shift();
    if (next) this.activate(next, sequence);
    else this.free.push(sequence);
    this.options.onActivity();
    job.released();
  }
}
