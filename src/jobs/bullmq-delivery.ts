import { DelayedError, type Job, Queue, UnrecoverableError, WaitingError, Worker } from "bullmq";
import type { JobRetryPolicy } from "./types.js";

/** What became of a job a queue delivered (see `JobRunner.runDelivered`), and so what the queue does with its message. */
export type DeliveryResult =
  /** Nothing (more) to do: the job finished here, or is finished, cancelled, gone, or held by another runner now. */
  | { type: "done" }
  /** It is held by a runner that still looks alive (its lease runs): deliver it again at `at` (ms) to look again. */
  | { type: "recheck"; at: number }
  /** This start failed and the job is queued for a retry: the queue waits out the backoff, then delivers it again. */
  | { type: "retry"; error: string }
  /** It failed for good (stored as failed). */
  | { type: "failed"; error: string }
  /** This runner is stopping: the job was given back; deliver it to another worker. */
  | { type: "stopped" };

/** A message that must exist: a queued job (`delayMs`: what is left of a retry's backoff) or one whose holder is gone. */
export type PendingMessage = { id: string; kind: string; delayMs: number };

/** What the delivery needs from its runner. */
export type BullmqDeliveryHost = {
  /** This runner's holder identity (the workers' name). */
  holder: string;
  kinds: string[];
  /** Jobs of one kind run at once by this runner. */
  concurrency: number;
  /** The lock of a delivered job (renewed at half of it while the job runs); also how often stalled jobs are looked for. */
  leaseMs: number;
  retry: JobRetryPolicy;
  runDelivered(id: string): Promise<DeliveryResult>;
  pendingMessages(): Promise<PendingMessage[]>;
  onError(error: unknown): void;
};

type Message = { jobId: string };

/** How often a started delivery makes sure every queued job has its message, as a share of the lease. */
const reconcileShareOfLease = 0.5;
/** How often a job may stall (its worker died) and still be delivered again: like the embedded runner, no limit. */
const unlimitedStalls = 1_000_000;
/**
 * How long a Redis command may take before the delivery goes on without it (BullMQ waits for an unreachable Redis
 * forever): an enqueue still returns (its row is queued; the next reconcile adds the message), a stop still ends.
 */
const redisDeadlineMs = 3000;

/**
 * BullMQ delivery of a runner's jobs: a queue per job kind (`<prefix>:<kind>` keys on Redis) whose messages carry the
 * job id only. A worker per kind hands each message to the runner, which claims the job row (or takes it over from a
 * dead holder), runs it and stores the outcome; the message then completes, is retried with backoff, waits for a live
 * holder's lease, or goes back to the queue. Messages are removed when done: the jobs table is the record.
 *
 * Every lease/2 a started delivery re-adds the messages a job must have (idempotent: the message id is derived from the
 * job id): jobs queued by a process without the queue (the CLI), or whose add was lost (a crash between the insert and
 * the add, Redis down), and running jobs whose holder is gone but that were never on the queue (run-here jobs).
 */
export class BullmqDelivery {
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Array<Worker<Message>> = [];
  private timer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** Messages being processed here (their outcome is still to be told to the queue). */
  private readonly processing = new Set<Promise<unknown>>();

  constructor(
    private readonly host: BullmqDeliveryHost,
    private readonly settings: { redisUrl: string; prefix: string },
  ) {}

  /** Adds the message of a job (no-op when it has one). A failure is reported, not thrown: the next reconcile adds it. */
  async add(job: { id: string; kind: string }, delayMs = 0): Promise<void> {
    try {
      const message: Message = { jobId: job.id };
      await withinDeadline(this.queue(job.kind).add(job.kind, message, this.messageOptions(job.id, delayMs)), `adding job ${job.id}`);
    } catch (error) {
      this.host.onError(error);
    }
  }

  /** Removes a cancelled job's waiting or delayed message (one being processed completes when its handler stops). */
  async remove(job: { id: string; kind: string }): Promise<void> {
    try {
      await withinDeadline(this.queue(job.kind).remove(messageId(job.id)), `removing job ${job.id}`);
    } catch (error) {
      this.host.onError(error);
    }
  }

  /** Starts a worker per kind, and the reconcile loop. */
  start(): void {
    if (this.workers.length > 0 || this.closing) return;
    const connection = { url: this.settings.redisUrl, maxRetriesPerRequest: null };
    for (const kind of this.host.kinds) {
      const worker = new Worker<Message>(queueName(kind), (message, token) => this.track(this.process(message, token)), {
        connection,
        prefix: this.settings.prefix,
        name: this.host.holder,
        concurrency: this.host.concurrency,
        lockDuration: this.host.leaseMs,
        stalledInterval: this.host.leaseMs,
        maxStalledCount: unlimitedStalls,
      });
      worker.on("error", (error) => this.host.onError(error));
      this.workers.push(worker);
    }
    this.timer = setInterval(() => this.reconcile(), Math.max(50, Math.floor(this.host.leaseMs * reconcileShareOfLease)));
    this.timer.unref();
    this.reconcile();
  }

  /**
   * Stops: call it once the runner's jobs were stopped (their messages then go back to the queue). Waits for those
   * hand-backs and closes the workers; with Redis unreachable it gives up waiting after a deadline (a message not handed
   * back is found stalled once its lock expires, and delivered again).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      await settlesWithin(this.reconciling ?? Promise.resolve(), redisDeadlineMs);
      const handedBack = await settlesWithin(Promise.allSettled([...this.processing]), redisDeadlineMs);
      // A graceful close waits for Redis; a forced one does not (and leaves nothing running here either way).
      await Promise.allSettled(this.workers.map((worker) => (handedBack ? settlesWithin(worker.close(), redisDeadlineMs) : worker.close(true))));
      const results = await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
      for (const result of results) if (result.status === "rejected") this.host.onError(result.reason);
    })();
    return this.closing;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.processing.add(work);
    const forget = () => this.processing.delete(work);
    work.then(forget, forget);
    return work;
  }

  private async process(message: Job<Message>, token: string | undefined): Promise<null> {
    const result = await this.host.runDelivered(message.data.jobId);
    switch (result.type) {
      case "done":
        return null;
      case "recheck":
        await message.moveToDelayed(result.at, token);
        throw new DelayedError();
      case "retry":
        throw new Error(result.error); // BullMQ retries it after its backoff
      case "failed":
        throw new UnrecoverableError(result.error);
      case "stopped":
        await message.moveToWait(token);
        throw new WaitingError();
    }
  }

  private reconcile(): void {
    if (this.reconciling || this.closing) return;
    this.reconciling = (async () => {
      try {
        const byKind = new Map<string, PendingMessage[]>();
        for (const pending of await this.host.pendingMessages()) byKind.set(pending.kind, [...(byKind.get(pending.kind) ?? []), pending]);
        for (const [kind, pending] of byKind) {
          if (this.closing) return;
          const messages = pending.map((entry) => ({ name: kind, data: { jobId: entry.id }, opts: this.messageOptions(entry.id, entry.delayMs) }));
          await withinDeadline(this.queue(kind).addBulk(messages), `adding ${messages.length} pending jobs`);
        }
      } catch (error) {
        this.host.onError(error);
      } finally {
        this.reconciling = undefined;
      }
    })();
  }

  private messageOptions(jobId: string, delayMs: number) {
    const { attempts, backoffMs } = this.host.retry;
    return {
      jobId: messageId(jobId),
      delay: Math.max(0, Math.ceil(delayMs)),
      attempts: Math.max(1, attempts),
      backoff: { type: "exponential", delay: backoffMs },
      removeOnComplete: true,
      removeOnFail: true,
    };
  }

  /** The producer side of a kind's queue, made on first use (a CLI process that never enqueues opens no connection). */
  private queue(kind: string): Queue {
    const existing = this.queues.get(kind);
    if (existing) return existing;
    // Fail fast while Redis is unreachable (the row stays queued; the next reconcile adds its message).
    const queue = new Queue(queueName(kind), { connection: { url: this.settings.redisUrl, enableOfflineQueue: false }, prefix: this.settings.prefix });
    queue.on("error", (error) => this.host.onError(error));
    this.queues.set(kind, queue);
    return queue;
  }
}

/** BullMQ names may not hold `:` (its key separator); ids may not be integers either. */
function queueName(kind: string): string {
  return encodeURIComponent(kind);
}

function messageId(jobId: string): string {
  return `job-${encodeURIComponent(jobId)}`;
}

/** `work`, or a rejection once `redisDeadlineMs` passed (`work` goes on; its late outcome is ignored). */
async function withinDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${redisDeadlineMs} ms (${what}); the job stays queued and is added once it answers`)), redisDeadlineMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `work` settles within `milliseconds`. */
async function settlesWithin(work: Promise<unknown>, milliseconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), milliseconds)));
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
