import fs from "node:fs";
import path from "node:path";
import { type JobQueue, type JobRecord, JobRunner, type JobStatus } from "../jobs/index.js";
import type { ModelMetadata } from "../runtime/index.js";
import { resolvePullSource } from "../runtime/pull/index.js";
import { InvalidRequestError, NotFoundError } from "../spec/index.js";
import type { Database, ModelRepository } from "../store/index.js";
import { modelExistsError, pullInProgressError, pullStateError } from "./pull-errors.js";
import { modelPullJobKind, modelPullSubject, type PullPayload, pullPayloadSchema, pullResultSchema, runPullJob } from "./pull-job.js";
import { createPullProgressRepository, type PullProgressRecord, type PullProgressRepository } from "./pull-progress-repository.js";

export type ModelPullServiceOptions = {
  database: Database;
  models: ModelRepository;
  /** Reads and checks a GGUF header (`inspectGguf`). */
  inspectModelFile: (file: string) => Promise<ModelMetadata>;
  /** Pulls land in `<modelsDir>/pulls/<pull id>/<file>`. */
  modelsDir: string;
  /** Where `hf:` sources point (config `huggingFaceUrl`). Defaults to `https://huggingface.co`. */
  huggingFaceUrl?: string | undefined;
  /** Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  now?: (() => number) | undefined;
  /** Downloads at once (default 3). */
  concurrency?: number | undefined;
  /** Least time between two progress writes (default 500 ms). */
  progressIntervalMs?: number | undefined;
  /** A running job whose heartbeat is older than this is taken over (default: the job system's). */
  jobLeaseMs?: number | undefined;
  /** Where pull jobs are delivered from (default: the embedded runner polls the jobs table). */
  jobQueue?: JobQueue | undefined;
  onError?: ((error: unknown) => void) | undefined;
};

/** A pull as the API shows it: the job's state with the download's live figures. */
export type ModelPull = {
  id: string;
  source: string;
  url: string;
  fileName: string;
  name: string;
  sha256Expected: string | undefined;
  status: JobStatus;
  bytesDone: number;
  bytesTotal: number | undefined;
  rateBytesPerSecond: number | undefined;
  etaSeconds: number | undefined;
  resumedFrom: number;
  error: { code: string; message: string } | undefined;
  /** Once completed: the registered model, its file and the file's sha256. */
  model: string | undefined;
  path: string | undefined;
  sha256: string | undefined;
  verifiedAgainst: "option" | "etag" | undefined;
  attempts: number;
  createdAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  updatedAt: number;
};

export type CreatePullInput = { source: string; name?: string | undefined; sha256?: string | undefined; keyId?: string | undefined };

const sha256Pattern = /^[0-9a-f]{64}$/;
const activeStatuses: JobStatus[] = ["queued", "running"];

/**
 * Model downloads as durable server-side jobs: a pull keeps going when its creator leaves, survives a restart (another
 * runner resumes it with a Range request), shows bytes, rate and ETA, can be cancelled (its files are deleted) and
 * retried (a failed one resumes where it stopped). A completed pull has registered its model.
 */
export class ModelPullService {
  private readonly runner: JobRunner;
  private readonly progress: PullProgressRepository;
  private readonly now: () => number;
  private readonly modelsDir: string;
  /** Handlers running in this process, to wait for one to stop (cancel). */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ModelPullServiceOptions) {
    this.now = options.now ?? Date.now;
    this.modelsDir = path.resolve(options.modelsDir);
    this.progress = createPullProgressRepository(options.database);
    const onError = options.onError ?? (() => undefined);
    this.runner = new JobRunner({
      database: options.database,
      now: options.now,
      leaseMs: options.jobLeaseMs,
      queue: options.jobQueue,
      concurrency: options.concurrency ?? 3,
      onError,
      handlers: {
        [modelPullJobKind]: (job, context) => {
          const run = runPullJob(job, context, {
            models: options.models,
            inspectModelFile: options.inspectModelFile,
            progress: this.progress,
            folderOf: (id) => this.folderOf(id),
            fetch: options.fetch,
            huggingFaceUrl: options.huggingFaceUrl,
            now: this.now,
            progressIntervalMs: options.progressIntervalMs ?? 500,
            isCancelled: async (id) => (await this.runner.get(id))?.status === "cancelled",
            onError,
          });
          const settled = run.then(
            () => undefined,
            () => undefined,
          );
          this.running.set(job.id, settled);
          void settled.then(() => {
            if (this.running.get(job.id) === settled) this.running.delete(job.id);
          });
          return run;
        },
      },
    });
  }

  /** Runs queued pulls (and takes over those of a runner that died) until `dispose`. */
  start(): void {
    this.runner.start();
  }

  /** Stops this runner: its downloads stop and keep their `.partial` files; they are queued for the next start. */
  async dispose(): Promise<void> {
    await this.runner.dispose();
  }

  /** Validates the source, sha256 and name now (400s), then queues the download. */
  async create(input: CreatePullInput): Promise<ModelPull> {
    const { url, fileName } = resolvePullSource(input.source, this.options.huggingFaceUrl);
    const sha256 = input.sha256?.trim().toLowerCase();
    if (sha256 !== undefined && !sha256Pattern.test(sha256)) {
      throw new InvalidRequestError({ message: `sha256 must be 64 hexadecimal characters, got ${input.sha256}`, param: "sha256" });
    }
    const name = input.name ?? defaultPullName(fileName);
    await this.assertNameFree(name, undefined);
    const payload: PullPayload = { source: input.source, url: url.href, fileName, name, ...(sha256 === undefined ? {} : { sha256 }) };
    const job = await this.runner.enqueue({ kind: modelPullJobKind, subject: modelPullSubject, keyId: input.keyId, payload });
    return this.toPull(job, undefined);
  }

  /** Pulls, newest first; `statuses` filters. */
  async list(filter: { statuses?: JobStatus[] | undefined; limit?: number | undefined } = {}): Promise<ModelPull[]> {
    const jobs = await this.runner.list({ subject: modelPullSubject, statuses: filter.statuses, limit: filter.limit });
    const progress = await this.progress.getMany(jobs.map((job) => job.id));
    return jobs.map((job) => this.toPull(job, progress.get(job.id)));
  }

  async get(id: string): Promise<ModelPull> {
    const job = await this.requireJob(id);
    return this.toPull(job, (await this.progress.getMany([id])).get(id));
  }

  /**
   * Cancels a queued, running or failed pull and deletes its files: the download stops (here at once, on another
   * runner within a heartbeat), no partial file stays and no model is registered.
   */
  async cancel(id: string): Promise<ModelPull> {
    const job = await this.requireJob(id);
    if (job.status === "completed" || job.status === "cancelled") throw pullStateError(id, job.status, "cancel");
    const cancelled = await this.runner.cancel(id, { includeFailed: true });
    // It completed in the meantime: its file is the registered model's now.
    if (cancelled.status !== "cancelled") throw pullStateError(id, cancelled.status, "cancel");
    await this.running.get(id);
    await fs.promises.rm(this.folderOf(id), { recursive: true, force: true });
    await this.progress.stop(id, this.now(), undefined);
    return this.get(id);
  }

  /** Queues a failed or cancelled pull again; a failed one's `.partial` is resumed with a Range request when still valid. */
  async retry(id: string): Promise<ModelPull> {
    const job = await this.requireJob(id);
    if (job.status !== "failed" && job.status !== "cancelled") throw pullStateError(id, job.status, "retry");
    await this.assertNameFree(this.payloadOf(job).name, id);
    await this.progress.stop(id, this.now(), undefined);
    await this.runner.requeue(id);
    return this.get(id);
  }

  private folderOf(id: string): string {
    return path.join(this.modelsDir, "pulls", id);
  }

  private async requireJob(id: string): Promise<JobRecord> {
    const job = await this.runner.get(id);
    if (!job || job.kind !== modelPullJobKind) throw new NotFoundError({ message: `pull ${id} not found`, param: "id", code: "pull_not_found" });
    return job;
  }

  private payloadOf(job: JobRecord): PullPayload {
    return pullPayloadSchema.parse(job.payload);
  }

  /** The name must not be registered, nor be downloading in another queued or running pull. */
  private async assertNameFree(name: string, exceptPull: string | undefined): Promise<void> {
    if (await this.options.models.get(name)) throw modelExistsError(name);
    const active = await this.runner.list({ subject: modelPullSubject, statuses: activeStatuses, limit: 1000 });
    const clash = active.find((job) => job.id !== exceptPull && this.payloadOf(job).name.toLowerCase() === name.toLowerCase());
    if (clash) throw pullInProgressError(name, clash.id);
  }

  private toPull(job: JobRecord, progress: PullProgressRecord | undefined): ModelPull {
    const payload = this.payloadOf(job);
    const parsedResult = job.status === "completed" ? pullResultSchema.safeParse(job.result) : undefined;
    const result = parsedResult?.success ? parsedResult.data : undefined;
    const running = job.status === "running";
    const rate = running ? progress?.rateBytesPerSecond : undefined;
    const bytesDone = progress?.bytesDone ?? 0;
    const bytesTotal = progress?.bytesTotal;
    const eta = rate !== undefined && rate > 0 && bytesTotal !== undefined ? Math.max(0, Math.ceil((bytesTotal - bytesDone) / rate)) : undefined;
    const failed = job.status === "failed" && job.error !== undefined;
    return {
      id: job.id,
      source: payload.source,
      url: payload.url,
      fileName: payload.fileName,
      name: payload.name,
      sha256Expected: payload.sha256,
      status: job.status,
      bytesDone,
      bytesTotal,
      rateBytesPerSecond: rate,
      etaSeconds: eta,
      resumedFrom: progress?.resumedFrom ?? 0,
      error: failed ? { code: progress?.errorCode ?? "pull_failed", message: job.error! } : undefined,
      model: result?.model,
      path: result?.path,
      sha256: result?.sha256,
      verifiedAgainst: result?.verified_against ?? undefined,
      attempts: job.attempts,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      updatedAt: Math.max(job.updatedAt, progress?.updatedAt ?? 0),
    };
  }
}

/** `stories260K.gguf` → `stories260K`, made a valid model name (other characters become `-`). */
export function defaultPullName(fileName: string): string {
  const name = fileName.replace(/\.gguf$/i, "").replace(/[^\w.:-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 128);
  if (name === "") throw new InvalidRequestError({ message: `cannot derive a model name from ${fileName}; pass name`, param: "name" });
  return name;
}
