/**
 * How jobs reach the runners that execute them. Either way the `jobs` table stays the record of every job (status,
 * holder, heartbeat, progress, result), so any instance answers for any job.
 *
 * - `embedded`: each runner polls the jobs table and claims work with conditional updates (one process, or a few on
 *   one database).
 * - `bullmq`: one BullMQ queue per job kind on Redis delivers the jobs (the scale-out profile): its lock (renewed
 *   while a job runs) is the lease, a job whose worker died is found stalled and delivered again, failed starts are
 *   retried with exponential backoff.
 */
export type JobQueue = { type: "embedded" } | { type: "bullmq"; redisUrl: string; prefix: string };

/** The queue of a configuration: BullMQ when a Redis URL is set, else embedded. */
export function jobQueueOf(settings: { redisUrl?: string | undefined; redisPrefix: string }): JobQueue {
  return settings.redisUrl === undefined ? { type: "embedded" } : { type: "bullmq", redisUrl: settings.redisUrl, prefix: settings.redisPrefix };
}
