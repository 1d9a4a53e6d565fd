import type { DatabaseExecutor } from "../store/index.js";
import { holderIsDead, newHolderIdentity } from "./holder-identity.js";
import type { JobStatus } from "./types.js";

/** A running job whose heartbeat is older than this is abandoned (its runner is gone). */
export const defaultJobLeaseMs = 30_000;

/** This process as an observer of holders (host and pid, to tell whether a holder on this host still runs). */
const observer = newHolderIdentity();

/** Who holds a job, as needed to judge whether it is still alive. */
export type JobHolding = {
  jobId: string;
  subject: string | undefined;
  status: JobStatus;
  holder: string | undefined;
  heartbeatAt: number | undefined;
};

/**
 * Whether a running job's holder is gone: its heartbeat is missing or older than `leaseMs`, or it ran on this host and
 * its process no longer exists. Such a job is taken over by the next runner that polls.
 */
export function holderIsGone(job: Pick<JobHolding, "holder" | "heartbeatAt">, options: { now: number; leaseMs?: number | undefined; ownHolder?: string | undefined }): boolean {
  if (job.holder === undefined || job.heartbeatAt === undefined) return true;
  if (job.heartbeatAt < options.now - (options.leaseMs ?? defaultJobLeaseMs)) return true;
  return holderIsDead(job.holder, options.ownHolder ?? observer);
}

/** The newest job of each subject (e.g. the job executing an eval run), for liveness checks. */
export async function latestJobsOfSubjects(database: DatabaseExecutor, subjects: readonly string[]): Promise<Map<string, JobHolding>> {
  const latest = new Map<string, JobHolding>();
  if (subjects.length === 0) return latest;
  const rows = await database.db
    .selectFrom("jobs")
    .select(["id", "subject", "status", "holder", "heartbeat_at", "created_at"])
    .where("subject", "in", [...subjects])
    .orderBy("created_at", "asc")
    .orderBy("id", "asc")
    .execute();
  for (const row of rows) {
    if (row.subject === null) continue;
    latest.set(row.subject, {
      jobId: row.id,
      subject: row.subject,
      status: row.status as JobStatus,
      holder: row.holder ?? undefined,
      heartbeatAt: row.heartbeat_at === null ? undefined : Number(row.heartbeat_at),
    });
  }
  return latest;
}
