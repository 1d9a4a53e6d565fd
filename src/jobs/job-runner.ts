import { randomUUID } from "node:crypto";
import { InvalidRequestError, NotFoundError } from "../spec/index.js";
import type { Database } from "../store/index.js";
import { BullmqDelivery, type DeliveryResult, type PendingMessage } from "./bullmq-delivery.js";
import { holderIsDead, newHolderIdentity } from "./holder-identity.js";
import { defaultJobLeaseMs, holderIsGone } from "./job-liveness.js";
import type { JobQueue } from "./job-queue.js";
import { createJobRepository, type JobCandidate, type JobRepository } from "./job-repository.js";
import { noRetries, startableAt } from "./retry-policy.js";
import { isFinished, type JobHandler, type JobRecord, type JobRetryPolicy, type JobStatus } from "./types.js";

/** Options of {@link JobRunner}. */
export type JobRunnerOptions = {
  database: Database;
  /** Handlers by job kind; this runner only claims jobs of these kinds. */
  handlers: Record<string, JobHandler>;
  /** Clock in ms (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Job id generator (default `crypto.randomUUID`). */
  generateId?: (() => string) | undefined;
  /** A running job whose heartbeat is older than this is taken over (default 30000 ms). */
  leaseMs?: number | undefined;
  /** How often `start()` looks for work in the table (default 1000 ms; queue `bullmq`: every lease/2, for lost messages). */
  pollIntervalMs?: number | undefined;
  /** Jobs run at once (default 1). */
  concurrency?: number | undefined;
  /** Called when a poll or a bookkeeping write fails (default: ignored; the next poll retries). */
  onError?: ((error: unknown) => void) | undefined;
  /** Called when this runner takes over a running job whose holder is gone (for a log line; default: nothing). */
  onTakeover?: ((takeover: JobTakeover) => void) | undefined;
  /** Retries of a job whose handler throws (default: none, the job fails). */
  retry?: JobRetryPolicy | undefined;
  /**
   * Where `start()` takes jobs from (default `embedded`: this runner polls the jobs table). With `bullmq`, a BullMQ
   * queue per kind on Redis delivers them; `runHere` and `runPending` still run jobs in this process either way.
   */
  queue?: JobQueue | undefined;
};

/** A running job claimed from a holder that died (process gone on this host, or heartbeat older than the lease). */
export type JobTakeover = { job: JobRecord; previousHolder: string; lastHeartbeatAt: number | undefined };

/** How one start of a job ended, as written to its row. */
type JobOutcome =
  | { type: "completed" }
  | { type: "failed"; error: string }
  /** Queued again (with its error) for a retry after the backoff. */
  | { type: "retrying"; error: string }
  /** Cancelled or taken over by another runner meanwhile (or its row could not be written): nothing was written. */
  | { type: "lost" }
  /** This runner is stopping: given back to the queue. */
  | { type: "stopped" };

type Running = { controller: AbortController; done: Promise<JobOutcome>; stopping: boolean };

/** How long after a live holder's lease would end a delivery looks at its job again. */
const recheckMarginMs = 100;

/**
 * In-process durable job runner over the `jobs` table. Jobs survive restarts: a job whose runner died (its process
 * is gone on this host, or its heartbeat is older than the lease) is claimed again and re-run; handlers are
 * idempotent. Claims are conditional updates, so a server and CLI commands on the same database share the queue.
 * The table is the record of every job whichever queue delivers them (see {@link JobQueue}); the running handler
 * heartbeats its row (progress, and the way a cancel made on any instance reaches it).
 */
export class JobRunner {
  readonly holder = newHolderIdentity();
  private readonly repository: JobRepository;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly retry: JobRetryPolicy;
  /** BullMQ delivery (queue `bullmq`); undefined: this runner polls the table itself. */
  private readonly delivery: BullmqDelivery | undefined;
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private disposed = false;

  constructor(private readonly options: JobRunnerOptions) {
    this.repository = createJobRepository(options.database);
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? defaultJobLeaseMs;
    this.retry = options.retry ?? noRetries;
    const queue = options.queue ?? { type: "embedded" };
    switch (queue.type) {
      case "embedded":
        this.delivery = undefined;
        break;
      case "bullmq":
        this.delivery = new BullmqDelivery(
          {
            holder: this.holder,
            kinds: Object.keys(options.handlers),
            concurrency: options.concurrency ?? 1,
            leaseMs: this.leaseMs,
            retry: this.retry,
            runDelivered: (id) => this.runDelivered(id),
            pendingMessages: () => this.pendingMessages(),
            onError: (error) => this.options.onError?.(error),
          },
          queue,
        );
        break;
    }
  }

  /** Adds a job. With `runHere`, this runner holds it at once and starts it (no other runner can take it first). */
  async enqueue(input: {
    /** The job's id (default: a new one from `generateId`), e.g. when rows that name the job are written first. */
    id?: string | undefined;
    kind: string;
    payload: unknown;
    subject?: string | undefined;
    keyId?: string | undefined;
    runHere?: boolean | undefined;
    /** Initial progress total (e.g. the number of documents). */
    progressTotal?: number | undefined;
  }): Promise<JobRecord> {
    if (!this.options.handlers[input.kind]) throw new InvalidRequestError({ message: `unknown job kind ${input.kind}` });
    const id = input.id ?? (this.options.generateId ?? randomUUID)();
    const job = await this.repository.insert({ ...input, id, holder: input.runHere ? this.holder : undefined, at: this.now() });
    if (input.runHere) void this.execute(job);
    else if (this.delivery) await this.delivery.add(job);
    else this.kick();
    return job;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return this.repository.get(id);
  }

  async list(filter: { subject?: string | undefined; statuses?: JobStatus[] | undefined; limit?: number | undefined } = {}): Promise<JobRecord[]> {
    return this.repository.list(filter);
  }

  /**
   * Cancels a job; a running handler sees its signal abort at once here, within a heartbeat elsewhere. With
   * `includeFailed`, a failed job is marked cancelled too (its handler's leftovers can then be discarded).
   */
  async cancel(id: string, options: { includeFailed?: boolean | undefined } = {}): Promise<JobRecord> {
    const job = await this.repository.get(id);
    if (!job) throw new NotFoundError({ message: `job ${id} not found`, code: "job_not_found" });
    if (await this.repository.cancel(id, this.now(), options)) {
      this.running.get(id)?.controller.abort(new Error(`job ${id} was cancelled`));
      await this.delivery?.remove(job);
    }
    return (await this.repository.get(id))!;
  }

  /** Queues a failed or cancelled job again (same id and payload); its handler runs anew. Other statuses stay as they are. */
  async requeue(id: string): Promise<JobRecord> {
    const job = await this.repository.get(id);
    if (!job) throw new NotFoundError({ message: `job ${id} not found`, code: "job_not_found" });
    if (await this.repository.requeue(id, this.now())) {
      if (this.delivery) await this.delivery.add(job);
      else this.kick();
    }
    return (await this.repository.get(id))!;
  }

  /** Rewrites a completed job's result; false when the job is not completed. */
  async replaceResult(id: string, result: unknown): Promise<boolean> {
    return this.repository.replaceResult(id, result, this.now());
  }

  /** Takes jobs until `dispose`: polls the table every `pollIntervalMs`, or (queue `bullmq`) starts BullMQ workers. */
  start(): void {
    if (this.disposed) return;
    if (this.delivery) {
      this.delivery.start();
      return;
    }
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.options.pollIntervalMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  /** Claims and runs every claimable job (optionally only of one subject) until none is left, then resolves. */
  async runPending(filter: { subject?: string | undefined } = {}): Promise<void> {
    for (;;) {
      const claimed = await this.claimOne(filter.subject);
      if (!claimed) break;
      await this.running.get(claimed)?.done;
    }
  }

  /** Resolves with the job once it is finished (polling the database, so it sees other runners' jobs too). */
  async waitFor(id: string, options: { intervalMs?: number | undefined; signal?: AbortSignal | undefined; onUpdate?: ((job: JobRecord) => void) | undefined } = {}): Promise<JobRecord> {
    for (;;) {
      const job = await this.repository.get(id);
      if (!job) throw new NotFoundError({ message: `job ${id} not found`, code: "job_not_found" });
      options.onUpdate?.(job);
      if (isFinished(job.status)) return job;
      options.signal?.throwIfAborted();
      const own = this.running.get(id)?.done;
      await Promise.race([new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200)), ...(own ? [own] : [])]);
    }
  }

  /** Stops taking jobs, aborts this runner's jobs and gives them back to the queue. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling?.catch(() => undefined);
    for (const entry of this.running.values()) {
      entry.stopping = true;
      entry.controller.abort(new Error("the job runner is stopping"));
    }
    await Promise.all([...this.running.values()].map((entry) => entry.done));
    // Messages delivered from now on are handed straight back (`runDelivered` sees `disposed`).
    await this.delivery?.close();
  }

  /**
   * Runs a job the queue delivered: claims it if queued, takes it over if its holder is gone (a crashed or stalled
   * worker), and executes it here. A job held by a runner that still looks alive is looked at again when its lease
   * would end; a finished, cancelled or unknown job is done with.
   */
  private async runDelivered(id: string): Promise<DeliveryResult> {
    if (this.disposed) return { type: "stopped" };
    const holding = await this.repository.holding(id);
    if (!holding || isFinished(holding.status) || !this.options.handlers[holding.kind]) return { type: "done" };
    const at = this.now();
    if (this.running.has(id)) return { type: "recheck", at: at + this.leaseMs };
    let previousHolder: string | null = null;
    if (holding.status === "running") {
      // This runner's own leftover (a start whose last write failed) is taken back at once.
      const ownLeftover = holding.holder === this.holder;
      if (!ownLeftover && !holderIsGone(holding, { now: at, leaseMs: this.leaseMs, ownHolder: this.holder })) {
        return { type: "recheck", at: Math.max(at, holding.heartbeatAt ?? at) + this.leaseMs + recheckMarginMs };
      }
      previousHolder = holding.holder ?? null;
    }
    if (!(await this.repository.claim(id, this.holder, at, previousHolder))) {
      const now = await this.repository.holding(id);
      return !now || isFinished(now.status) ? { type: "done" } : { type: "recheck", at: at + this.leaseMs };
    }
    const job = (await this.repository.get(id))!;
    if (previousHolder !== null && previousHolder !== this.holder) this.options.onTakeover?.({ job, previousHolder, lastHeartbeatAt: holding.heartbeatAt });
    const outcome = await this.execute(job);
    switch (outcome.type) {
      case "completed":
      case "lost":
        return { type: "done" };
      case "failed":
        return { type: "failed", error: outcome.error };
      case "retrying":
        return { type: "retry", error: outcome.error };
      case "stopped":
        return { type: "stopped" };
    }
  }

  /** The jobs that must have a queue message: queued ones, and running ones (not here) whose holder is gone. */
  private async pendingMessages(): Promise<PendingMessage[]> {
    const at = this.now();
    const pending: PendingMessage[] = [];
    for (const candidate of await this.repository.candidates(Object.keys(this.options.handlers))) {
      if (candidate.status === "queued") pending.push({ id: candidate.id, kind: candidate.kind, delayMs: Math.max(0, startableAt(candidate, this.retry) - at) });
      else if (!this.running.has(candidate.id) && this.holderGone(candidate, at)) pending.push({ id: candidate.id, kind: candidate.kind, delayMs: 0 });
    }
    return pending;
  }

  /** Whether a running candidate's holder is gone (heartbeat older than the lease, or a dead process on this host). */
  private holderGone(candidate: JobCandidate, at: number): boolean {
    const stale = candidate.heartbeatAt === null || candidate.heartbeatAt < at - this.leaseMs;
    return stale || holderIsDead(candidate.holder ?? "", this.holder);
  }

  private kick(): void {
    if (this.delivery || this.disposed || this.polling || this.running.size >= (this.options.concurrency ?? 1)) return;
    this.polling = (async () => {
      await Promise.resolve(); // never settle synchronously: `polling` must be assigned before the finally runs
      try {
        while (!this.disposed && this.running.size < (this.options.concurrency ?? 1) && (await this.claimOne(undefined))) {
          // keep claiming while there is room
        }
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        this.polling = undefined;
      }
    })();
  }

  /** Claims one job and starts it; returns its id, or undefined when nothing is claimable. */
  private async claimOne(subject: string | undefined): Promise<string | undefined> {
    const at = this.now();
    for (const candidate of await this.repository.candidates(Object.keys(this.options.handlers))) {
      if (this.disposed) return undefined;
      if (subject !== undefined && candidate.subject !== subject) continue;
      if (this.running.has(candidate.id)) continue;
      let previousHolder: string | null = null;
      if (candidate.status === "queued" && startableAt(candidate, this.retry) > at) continue; // a retry in its backoff
      if (candidate.status === "running") {
        if (candidate.holder === this.holder || !this.holderGone(candidate, at)) continue;
        previousHolder = candidate.holder;
      }
      if (await this.repository.claim(candidate.id, this.holder, at, previousHolder)) {
        const job = await this.repository.get(candidate.id);
        if (job) {
          if (previousHolder !== null) this.options.onTakeover?.({ job, previousHolder, lastHeartbeatAt: candidate.heartbeatAt ?? undefined });
          void this.execute(job);
          return job.id;
        }
      }
    }
    return undefined;
  }

  /** Runs a job this runner holds, heartbeating its row, and stores how it ended. */
  private execute(job: JobRecord): Promise<JobOutcome> {
    const handler = this.options.handlers[job.kind]!;
    const controller = new AbortController();
    const entry: Running = { controller, done: Promise.resolve({ type: "lost" }), stopping: this.disposed };
    if (entry.stopping) controller.abort(new Error("the job runner is stopping"));
    let progress = job.progress;
    let progressDirty = false;
    const beat = async () => {
      const written = progressDirty ? progress : undefined;
      progressDirty = false;
      const held = await this.repository.heartbeat(job.id, this.holder, this.now(), written);
      if (!held) controller.abort(new Error(`job ${job.id} is no longer held by this runner (cancelled or taken over)`));
    };
    let beating: Promise<void> = Promise.resolve();
    const queueBeat = () => {
      beating = beating.then(beat).catch((error: unknown) => this.options.onError?.(error));
    };
    const heartbeat = setInterval(queueBeat, Math.max(50, Math.floor(this.leaseMs / 4)));
    heartbeat.unref();
    let lastWrite = 0;
    const context = {
      signal: controller.signal,
      progress: (done: number, total: number) => {
        progress = { done, total };
        progressDirty = true;
        if (this.now() - lastWrite >= 250 || done >= total) {
          lastWrite = this.now();
          queueBeat();
        }
      },
    };
    const run = async (): Promise<JobOutcome> => {
      try {
        if (entry.stopping) throw controller.signal.reason;
        const result = await handler(job, context);
        clearInterval(heartbeat);
        await beating;
        if (progressDirty) await beat();
        const stored = await this.repository.finish(job.id, this.holder, this.now(), { status: "completed", result });
        return stored ? { type: "completed" } : { type: "lost" };
      } catch (error) {
        clearInterval(heartbeat);
        await beating;
        if (entry.stopping) {
          await this.repository.release(job.id, this.holder, this.now());
          return { type: "stopped" };
        }
        if (controller.signal.aborted) return { type: "lost" };
        const message = error instanceof Error ? error.message : String(error);
        if (job.attempts < this.retry.attempts) {
          return (await this.repository.retryLater(job.id, this.holder, this.now(), message)) ? { type: "retrying", error: message } : { type: "lost" };
        }
        const stored = await this.repository.finish(job.id, this.holder, this.now(), { status: "failed", error: message });
        return stored ? { type: "failed", error: message } : { type: "lost" };
      } finally {
        clearInterval(heartbeat);
        this.running.delete(job.id);
        if (!this.disposed) this.kick();
      }
    };
    // A failed write leaves the row held with a heartbeat that stops: it is taken over once the lease ends.
    entry.done = run().catch((error: unknown): JobOutcome => {
      this.options.onError?.(error);
      return { type: "lost" };
    });
    this.running.set(job.id, entry);
    return entry.done;
  }
}
