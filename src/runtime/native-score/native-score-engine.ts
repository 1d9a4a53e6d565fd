import { ServiceUnavailableError } from "../../spec/index.js";
import type { RuntimeLogger } from "../runtime-options.js";
import type { RegisteredModel } from "../types.js";
import {
  decodeScoreBody,
  decodeTokenizeBody,
  decodeTokenizeManyBody,
  encodeScoreRequest,
  encodeTokenizeManyRequest,
  encodeTokenizeRequest,
  type NativeScoreGroup,
  type NativeScoreResult,
  type NativeScorerInfo,
} from "./score-protocol.js";
import { ScoreWorker } from "./score-worker.js";

/** Settings of the native scoring engine. */
export type NativeScoreEngineOptions = {
  /** `bin/aiplus-score` of the native build. */
  binaryPath: string;
  threads: number;
  /** Tokens per scored sequence (the in-process engine's per-sequence context); undefined: min(training, 4096). */
  contextSize: number | undefined;
  /** Stop a model's worker after this many idle seconds; 0 keeps it. */
  idleStopSeconds: number;
  /** Layers offloaded to the GPU (a GPU build); undefined or 0: none. */
  gpuLayers?: number | undefined;
  /**
   * The model pool's memory budget: each worker's memory is held there while it runs (idle models are evicted to make
   * room; a start that cannot fit is refused). Undefined: not counted.
   */
  memory?: { hold(holder: string, model: RegisteredModel, contextSize: number): Promise<() => void> } | undefined;
  logger: RuntimeLogger;
};

type Job = {
  groups: readonly NativeScoreGroup[];
  topK: number;
  resolve: (results: NativeScoreResult[][]) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
};

const defaultMaximumContextSize = 4096;
/** Score requests a model's tool may hold at once (one computing, one waiting). */
const messagesInFlight = 2;
/** A worker that ran this long before it died was stable: the next start waits the first backoff only. */
const stableAfterMs = 10_000;
/** Restart backoff after a crash: 250 ms, doubling for each crash in a row, at most 30 s. */
const firstBackoffMs = 250;
const maximumBackoffMs = 30_000;
/** Sequences of one tool batch (llama.cpp allows 256). */
const toolSequences = 64;
/** Tokens of the tool's unified context: enough for several items per batch, at least one whole sequence. */
const minimumToolContext = 2048;

/** Per-sequence context like the in-process engine's (min(training context, 4096) unless configured). */
export function scoringContextSize(model: RegisteredModel, configured: number | undefined): number {
  const trained = model.metadata.contextLength ?? defaultMaximumContextSize;
  return configured === undefined ? Math.min(trained, defaultMaximumContextSize) : configured;
}

/**
 * One model's scoring worker plus the queue in front of it. Jobs (one per caller's call) that arrive while a batch is
 * being scored wait and go out together as the next request, so concurrent callers (an eval run's items in flight)
 * share the tool's batches the way llama-perplexity batches tasks.
 */
class ModelScorer {
  private worker: ScoreWorker | undefined;
  private queue: Job[] = [];
  private tokenizeQueue: { text: string; addBos: boolean; resolve: (tokens: number[]) => void; reject: (error: unknown) => void }[] = [];
  /** Score requests written to the tool and not yet answered. */
  private sending = 0;
  private drainScheduled = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private restarts = 0;
  /** When the current worker started, and when a worker that died (not stopped by us) was found dead. */
  private startedAt = 0;
  private diedAt: number | undefined;
  /** Crashes without a stable run between them; sets the backoff before the next start. */
  private crashesInRow = 0;
  /** The wait before the pending restart, for diagnostics. */
  private backoffMs = 0;
  private restarting: Promise<ScoreWorker> | undefined;

  constructor(
    readonly model: RegisteredModel,
    private readonly options: NativeScoreEngineOptions,
  ) {}

  /**
   * The running worker, started on demand; after a crash it starts again once the backoff has passed (250 ms,
   * doubling with each crash in a row that ran under 10 s, at most 30 s), so a model that kills its tool on every
   * start does not spin. Concurrent callers share one start.
   */
  private async current(): Promise<ScoreWorker> {
    if (this.worker && !this.worker.dead) return this.worker;
    this.restarting ??= this.start().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  /** Starts the worker: after a crash once the backoff has passed; its memory counted in the pool's budget first. */
  private async start(): Promise<ScoreWorker> {
    if (this.worker) {
      const diedAt = this.diedAt ?? Date.now();
      this.crashesInRow = diedAt - this.startedAt >= stableAfterMs ? 1 : this.crashesInRow + 1;
      this.backoffMs = Math.min(maximumBackoffMs, firstBackoffMs * 2 ** (this.crashesInRow - 1));
      const wait = this.backoffMs - (Date.now() - diedAt);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.restarts++;
    }
    const sequenceContext = scoringContextSize(this.model, this.options.contextSize);
    const contextSize = Math.max(minimumToolContext, sequenceContext);
    const releaseMemory = await this.options.memory?.hold(`native-scorer:${this.model.name}`, this.model, contextSize);
    this.worker = new ScoreWorker({
      binaryPath: this.options.binaryPath,
      modelPath: this.model.path,
      modelName: this.model.name,
      threads: this.options.threads,
      contextSize,
      sequences: toolSequences,
      gpuLayers: this.options.gpuLayers,
    });
    this.options.logger.info({ model: this.model.name, pid: this.worker.pid, restarts: this.restarts }, "native scorer started");
    const worker = this.worker;
    this.startedAt = Date.now();
    this.diedAt = undefined;
    void worker.exited.then(() => {
      releaseMemory?.();
      if (this.worker === worker) this.diedAt = Date.now();
    });
    return worker;
  }

  async info(): Promise<NativeScorerInfo> {
    this.touch();
    return (await this.current()).ready;
  }

  get pid(): number | undefined {
    return this.worker?.dead === false ? this.worker.pid : undefined;
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** Crashes in a row and the backoff of the latest restart. */
  get backoff(): { crashesInRow: number; backoffMs: number } {
    return { crashesInRow: this.crashesInRow, backoffMs: this.backoffMs };
  }

  /** Texts to tokenize; those asked for in the same turn go to the tool as one request. */
  tokenize(text: string, addBos: boolean): Promise<number[]> {
    this.touch();
    return new Promise((resolve, reject) => {
      this.tokenizeQueue.push({ text, addBos, resolve, reject });
      if (this.tokenizeQueue.length === 1) setImmediate(() => void this.flushTokenize());
    });
  }

  private async flushTokenize(): Promise<void> {
    const entries = this.tokenizeQueue;
    this.tokenizeQueue = [];
    try {
      const worker = await this.current();
      const results =
        entries.length === 1
          ? [decodeTokenizeBody(await worker.request((id) => encodeTokenizeRequest(id, entries[0]!.text, entries[0]!.addBos)))]
          : decodeTokenizeManyBody(await worker.request((id) => encodeTokenizeManyRequest(id, entries)), entries.length);
      entries.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      for (const entry of entries) entry.reject(error);
    }
  }

  score(groups: readonly NativeScoreGroup[], topK: number, signal: AbortSignal | undefined): Promise<NativeScoreResult[][]> {
    signal?.throwIfAborted();
    this.touch();
    return new Promise((resolve, reject) => {
      const job: Job = { groups, topK, resolve, reject, signal };
      const onAbort = (): void => {
        const index = this.queue.indexOf(job);
        if (index >= 0) this.queue.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      job.resolve = (results) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(results);
      };
      job.reject = (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      };
      this.queue.push(job);
      if (!this.drainScheduled) {
        // Jobs queued in the same turn (concurrent callers) go out together.
        this.drainScheduled = true;
        setImmediate(() => this.drain());
      }
    });
  }

  /**
   * Sends the queued jobs (grouped by top-k) as one request, keeping up to {@link messagesInFlight} requests at the
   * tool: the next batch is already waiting in its input when the current one finishes, so the tool never idles
   * between batches while JavaScript handles a reply.
   */
  private drain(): void {
    this.drainScheduled = false;
    while (this.sending < messagesInFlight && this.queue.length > 0) {
      const topK = this.queue[0]!.topK;
      const jobs = this.queue.filter((job) => job.topK === topK && !job.signal?.aborted);
      this.queue = this.queue.filter((job) => job.topK !== topK);
      if (jobs.length === 0) continue;
      this.sending++;
      void this.send(jobs, topK).finally(() => {
        this.sending--;
        this.touch();
        this.drain();
      });
    }
  }

  private async send(jobs: Job[], topK: number): Promise<void> {
    const groups = jobs.flatMap((job) => job.groups);
    try {
      const worker = await this.current();
      const info = await worker.ready;
      const body = await worker.request((id) => encodeScoreRequest(id, groups, topK));
      const results = decodeScoreBody(body, groups, topK, info.vocabularySize);
      let offset = 0;
      for (const job of jobs) {
        job.resolve(results.slice(offset, offset + job.groups.length));
        offset += job.groups.length;
      }
    } catch (error) {
      for (const job of jobs) job.reject(error);
    }
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.options.idleStopSeconds <= 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.sending > 0 || this.queue.length > 0 || (this.worker?.inFlight ?? 0) > 0) return this.touch();
      void this.stop();
    }, this.options.idleStopSeconds * 1000);
    this.idleTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const worker = this.worker;
    this.worker = undefined;
    this.restarts = 0;
    this.crashesInRow = 0;
    this.backoffMs = 0;
    if (worker) {
      this.options.logger.info({ model: this.model.name, pid: worker.pid }, "native scorer stopped");
      await worker.stop();
    }
  }
}

/**
 * Native prompt scoring: one `aiplus-score` helper process per model, started on first use, stopped when idle,
 * when the model is unloaded or re-registered with another file, and on dispose; started again after a crash.
 * A crash fails only the requests in flight on that worker, with a clear 503.
 */
export class NativeScoreEngine {
  private readonly scorers = new Map<string, ModelScorer>();
  private disposed = false;

  constructor(readonly options: NativeScoreEngineOptions) {}

  /** The scorer of a model (its worker starts on the first request). */
  private scorerFor(model: RegisteredModel): ModelScorer {
    if (this.disposed) throw new ServiceUnavailableError({ message: "the runtime is shutting down", code: "runtime_disposed" });
    const existing = this.scorers.get(model.name);
    if (existing && existing.model.path === model.path) return existing;
    if (existing) void existing.stop();
    const scorer = new ModelScorer(model, this.options);
    this.scorers.set(model.name, scorer);
    return scorer;
  }

  info(model: RegisteredModel): Promise<NativeScorerInfo> {
    return this.scorerFor(model).info();
  }

  tokenize(model: RegisteredModel, text: string, addBos: boolean): Promise<number[]> {
    return this.scorerFor(model).tokenize(text, addBos);
  }

  /** Log-probabilities of each group's requests; with `topK` > 0 also the top-k alternatives per scored token. */
  score(model: RegisteredModel, groups: readonly NativeScoreGroup[], options: { topK?: number; signal?: AbortSignal | undefined } = {}): Promise<NativeScoreResult[][]> {
    return this.scorerFor(model).score(groups, options.topK ?? 0, options.signal);
  }

  /** Worker state, for diagnostics and tests. */
  workers(): { model: string; pid: number | undefined; restarts: number; crashesInRow: number; backoffMs: number }[] {
    return [...this.scorers.values()].map((scorer) => ({ model: scorer.model.name, pid: scorer.pid, restarts: scorer.restartCount, ...scorer.backoff }));
  }

  /** Stops a model's worker (the model was unloaded or removed). */
  async unload(name: string): Promise<void> {
    const scorer = this.scorers.get(name);
    this.scorers.delete(name);
    await scorer?.stop();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const scorers = [...this.scorers.values()];
    this.scorers.clear();
    await Promise.all(scorers.map((scorer) => scorer.stop()));
  }
}
