/** Lifecycle of a job: `queued` → `running` → `completed` | `failed` | `cancelled` (a dead runner's job is re-claimed). */
export type JobStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

/** A durable background job as stored. */
export type JobRecord = {
  id: string;
  kind: string;
  status: JobStatus;
  /** What the job works on (e.g. a knowledge base id). */
  subject: string | undefined;
  /** The API key that started it (billing, access); undefined for the local CLI operator. */
  keyId: string | undefined;
  payload: unknown;
  result: unknown;
  error: string | undefined;
  progress: { done: number; total: number };
  attempts: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
};

/** What a handler gets besides its job. */
export type JobContext = {
  /** Aborts when the job is cancelled or the runner stops (then the job is queued again for the next runner). */
  signal: AbortSignal;
  /** Records progress (throttled writes; the last value is always written). */
  progress(done: number, total: number): void;
};

/**
 * Does one job. It must be idempotent: a job interrupted by a crash runs again from the start, so handlers skip work
 * already durably done. The returned value is stored as the job's result (JSON).
 */
export type JobHandler = (job: JobRecord, context: JobContext) => Promise<unknown>;

/**
 * How a failing job is retried: it runs at most `attempts` times in all (every start counts, a takeover after a crash
 * too), waiting `backoffMs` before the first retry and twice as long before each further one. The default,
 * `{ attempts: 1 }`, never retries: a handler's error fails the job.
 */
export type JobRetryPolicy = { attempts: number; backoffMs: number };

/** Terminal statuses. */
export function isFinished(status: JobStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}
