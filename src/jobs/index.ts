export { type JobTakeover, JobRunner, type JobRunnerOptions } from "./job-runner.js";
export { createJobRepository, type JobInsert, type JobRepository } from "./job-repository.js";
export { holderIsDead, newHolderIdentity } from "./holder-identity.js";
export { defaultJobLeaseMs, holderIsGone, type JobHolding, latestJobsOfSubjects } from "./job-liveness.js";
export { isFinished, type JobContext, type JobHandler, type JobRecord, type JobStatus } from "./types.js";
