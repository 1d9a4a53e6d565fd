import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { JobContext, JobRecord } from "../jobs/index.js";
import type { ModelMetadata } from "../runtime/index.js";
import { DownloadError, pullModel } from "../runtime/pull/index.js";
import { AiplusError } from "../spec/index.js";
import type { ModelRepository } from "../store/index.js";
import { modelExistsError } from "./pull-errors.js";
import type { PullProgressRepository } from "./pull-progress-repository.js";
import { PullProgressWriter } from "./pull-progress-writer.js";

export const modelPullJobKind = "model.pull";
/** Every pull job has this subject, so they list together. */
export const modelPullSubject = "model-pulls";

export const pullPayloadSchema = z.object({
  source: z.string(),
  /** The URL the source resolved to when the pull was created. */
  url: z.string(),
  fileName: z.string(),
  name: z.string(),
  sha256: z.string().optional(),
});

export type PullPayload = z.infer<typeof pullPayloadSchema>;

export const pullResultSchema = z.object({
  model: z.string(),
  path: z.string(),
  sha256: z.string(),
  verified_against: z.enum(["option", "etag"]).nullable(),
});

export type PullJobResult = z.infer<typeof pullResultSchema>;

export type PullJobDependencies = {
  models: ModelRepository;
  inspectModelFile: (file: string) => Promise<ModelMetadata>;
  progress: PullProgressRepository;
  /** Folder of one pull's files (`<modelsDir>/pulls/<id>`): its `.partial` while downloading, the model file after. */
  folderOf: (id: string) => string;
  fetch: typeof globalThis.fetch | undefined;
  huggingFaceUrl: string | undefined;
  now: () => number;
  progressIntervalMs: number;
  /** Whether the job was cancelled (read from the database: the abort may also mean the runner is stopping). */
  isCancelled: (id: string) => Promise<boolean>;
  onError: (error: unknown) => void;
};

/**
 * Downloads a pull's file into its own folder (Range resume of the `.partial` a failed or interrupted attempt left,
 * sha256 and GGUF checks, atomic rename: `pullModel`) and registers it. Idempotent: a file this job already renamed
 * into place is registered without downloading again, and a model this job already registered is its result.
 * Cancelled: the folder is deleted (no partial file stays). Failed: the files stay for a retry.
 */
export async function runPullJob(job: JobRecord, context: JobContext, dependencies: PullJobDependencies): Promise<PullJobResult> {
  const payload = pullPayloadSchema.parse(job.payload);
  const folder = dependencies.folderOf(job.id);
  const target = path.join(folder, payload.fileName);
  const writer = new PullProgressWriter(job.id, { repository: dependencies.progress, now: dependencies.now, intervalMs: dependencies.progressIntervalMs, onError: dependencies.onError });
  try {
    const registered = await dependencies.models.getEntry(payload.name);
    if (registered?.path === target) return { model: registered.name, path: target, sha256: registered.sha256 ?? (await sha256Of(target)), verified_against: null };
    if (registered) throw modelExistsError(payload.name);
    const downloaded = (await finishedFile(target, payload, dependencies)) ?? (await download(payload, folder, context, dependencies, writer));
    const metadata = await dependencies.inspectModelFile(target);
    await dependencies.models.add({ name: payload.name, path: target, kind: metadata.kind, metadata, sha256: downloaded.sha256 });
    await writer.flush({ stopped: true });
    return { model: payload.name, path: target, ...downloaded };
  } catch (error) {
    await writer.flush({ stopped: true });
    if (context.signal.aborted) {
      if (await dependencies.isCancelled(job.id)) await fs.promises.rm(folder, { recursive: true, force: true });
      await dependencies.progress.stop(job.id, dependencies.now(), undefined).catch(dependencies.onError);
    } else {
      await dependencies.progress.stop(job.id, dependencies.now(), failureCodeOf(error)).catch(dependencies.onError);
    }
    throw inServerTerms(error);
  }
}

/** The download's advice in the terms of a server pull (retry it; add a copied file by its path) rather than the CLI's. */
function inServerTerms(error: unknown): unknown {
  if (!(error instanceof DownloadError)) return error;
  const message = error.message
    .replace("run the same command again to resume", "retry the pull to resume where it stopped")
    .replace(/copy the file to this machine and run `aiplus models add ([^`]+)`/, "copy $1 to the server and add it by its path");
  return message === error.message ? error : new DownloadError({ failure: error.failure, message, cause: error });
}

async function download(payload: PullPayload, folder: string, context: JobContext, dependencies: PullJobDependencies, writer: PullProgressWriter) {
  const result = await pullModel({
    source: payload.source,
    modelsDir: folder,
    sha256: payload.sha256,
    fetch: dependencies.fetch,
    huggingFaceUrl: dependencies.huggingFaceUrl,
    onProgress: (progress) => writer.update(progress),
    signal: context.signal,
  });
  return { sha256: result.sha256, verified_against: result.verifiedAgainst ?? null };
}

/** The file an earlier run of this job renamed into place but did not register (it crashed in between), if any. */
async function finishedFile(target: string, payload: PullPayload, dependencies: Pick<PullJobDependencies, "inspectModelFile">) {
  if (!fs.existsSync(target)) return undefined;
  await dependencies.inspectModelFile(target);
  const sha256 = await sha256Of(target);
  if (payload.sha256 !== undefined && payload.sha256 !== sha256) {
    await fs.promises.rm(target, { force: true });
    return undefined;
  }
  return { sha256, verified_against: payload.sha256 === undefined ? null : ("option" as const) };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** A stable code for the pull's `error.code`: the download's failure kind, else the error's own code. */
export function failureCodeOf(error: unknown): string {
  if (error instanceof DownloadError) return error.failure;
  if (AiplusError.isInstance(error)) return error.code ?? error.type;
  return "internal_error";
}
