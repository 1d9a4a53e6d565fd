import { randomUUID } from "node:crypto";
import { InvalidRequestError, NotFoundError } from "../spec/index.js";
import type { Database } from "../store/index.js";
import { holderIsDead, newHolderIdentity } from "./holder-identity.js";
import { defaultJobLeaseMs } from "./job-liveness.js";
import { createJobRepository, type JobRepository } from "./job-repository.js";
import { isFinished, type JobHandler, type JobRecord, type JobStatus } from "./types.js";

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
  /** How often `start()` looks for work (default 1000 ms). */
  pollIntervalMs?: number | undefined;
  /** Jobs run at once (default 1). */
  concurrency?: number | undefined;
  /** Called when a poll or a bookkeeping write fails (default: ignored; the next poll retries). */
  onError?: ((error: unknown) => void) | undefined;
  /** Called when this runner takes over a running job whose holder is gone (for a log line; default: nothing). */
  onTakeover?: ((takeover: JobTakeover) => void) | undefined;
};

/** A running job claimed from a holder that died (process gone on this host, or heartbeat older than the lease). */
export type JobTakeover = { job: JobRecord; previousHolder: string; lastHeartbeatAt: number | undefined };

type Running = { controller: AbortController; done: Promise<void>; stopping: boolean };

/**
 * In-process durable job runner over the `jobs` table. Jobs survive restarts: a job whose runner died (its process
 * is gone on this host, or its heartbeat is older than the lease) is claimed again and re-run; handlers are
 * idempotent. Claims are conditional updates, so a server and CLI commands on the same database share the queue.
 */
export class JobRunner {
  readonly holder = newHolderIdentity();
  private readonly repository: JobRepository;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private disposed = false;

  constructor(private readonly options: JobRunnerOptions) {
    this.repository = createJobRepository(options.database);
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? defaultJobLeaseMs;
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
    if (input.runHere) this.execute(job);
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
    if (await this.repository.cancel(id, this.now(), options)) this.running.get(id)?.controller.abort(new Error(`job ${id} was cancelled`));
    return (await this.repository.get(id))!;
  }

  /** Queues a failed or cancelled job again (same id and payload); its handler runs anew. Other statuses stay as they are. */
  async requeue(id: string): Promise<JobRecord> {
    const job = await this.repository.get(id);
    if (!job) throw new NotFoundError({ message: `job ${id} not found`, code: "job_not_found" });
    if (await this.repository.requeue(id, this.now())) this.kick();
    return (await this.repository.get(id))!;
  }

  /** Rewrites a completed job's result; false when the job is not completed. */
  async replaceResult(id: string, result: unknown): Promise<boolean> {
    return this.repository.replaceResult(id, result, this.now());
  }

  /** Polls for claimable jobs every `pollIntervalMs` until `dispose`. */
  start(): void {
    if (this.timer || this.disposed) return;
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

  /** Stops polling, aborts this runner's jobs and gives them back to the queue. */
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
  }

  private kick(): void {
    if (this.disposed || this.polling || this.running.size >= (this.options.concurrency ?? 1)) return;
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
      if (candidate.status === "running") {
        const holder = candidate.holder ?? "";
        const stale = candidate.heartbeatAt === null || candidate.heartbeatAt < at - this.leaseMs;
        if (holder === this.holder || !(stale || holderIsDead(holder, this.holder))) continue;
        previousHolder = candidate.holder;
      }
      if (await this.repository.claim(candidate.id, this.holder, at, previousHolder)) {
        const job = await this.repository.get(candidate.id);
        if (job) {
          if (previousHolder !== null) this.options.onTakeover?.({ job, previousHolder, lastHeartbeatAt: candidate.heartbeatAt ?? undefined });
          this.execute(job);
          return job.id;
        }
      }
    }
    return undefined;
  }

  private execute(job: JobRecord): void {
    const handler = this.options.handlers[job.kind]!;
    const controller = new AbortController();
    const entry: Running = { controller, done: Promise.resolve(), stopping: false };
    let progress = job.progress;
    let progressDirty = false;
    const beat = async () => {
      const written = progressDirty ? progress : undefined;
      progressDirty = false;
      const held = await this.repository.heartbeat(job.id, this.holder, this.now(), written);
      if (!held) controller.abort(new Error(`job ${job.id} is no longer held by this runner (cancelled)`));
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
    entry.done = (async () => {
      try {
        const result = await handler(job, context);
        clearInterval(heartbeat);
        await beating;
        if (progressDirty) await beat();
        await this.repository.finish(job.id, this.holder, this.now(), { status: "completed", result });
      } catch (error) {
        clearInterval(heartbeat);
        await beating;
        if (entry.stopping) await this.repository.release(job.id, this.holder, this.now());
        else if (!controller.signal.aborted) {
          await this.repository.finish(job.id, this.holder, this.now(), { status: "failed", error: error instanceof Error ? error.message : String(error) });
        }
      } finally {
        this.running.delete(job.id);
        if (!this.disposed) this.kick();
      }
    })().catch((error: unknown) => this.options.onError?.(error));
    this.running.set(job.id, entry);
  }
}
