export { type JobTakeover, JobRunner, type JobRunnerOptions } from "./job-runner.js";
export { createJobRepository, type JobCandidate, type JobInsert, type JobRepository } from "./job-repository.js";
export { type JobQueue, jobQueueOf } from "./job-queue.js";
export { noRetries, retryDelayMs } from "./retry-policy.js";
export { holderIsDead, newHolderIdentity } from "./holder-identity.js";
export { defaultJobLeaseMs, holderIsGone, type JobHolding, latestJobsOfSubjects } from "./job-liveness.js";
export { isFinished, type JobContext, type JobHandler, type JobRecord, type JobRetryPolicy, type JobStatus } from "./types.js";
