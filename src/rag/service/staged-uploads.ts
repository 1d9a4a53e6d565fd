import fs from "node:fs";
import path from "node:path";
import { NotFoundError, PayloadTooLargeError } from "../../spec/index.js";
import { createStoredBlobRepository, type Database } from "../../store/index.js";

/** How a document task names an upload staged in the database: `staged-upload:<blob id>`. */
const stagedUploadScheme = "staged-upload:";

/** Largest staged upload (one document's bytes) by default: 256 MiB. */
export const defaultMaxStagedUploadBytes = 256 << 20;

/** What {@link StagedUploads} works with. */
export type StagedUploadsOptions = {
  /** The main database: uploads are staged there (`stored_blobs`), so any instance can run their ingestion job. */
  database: Database;
  /**
   * Where earlier versions staged uploads as files: jobs queued before the upgrade still read them there, and they
   * are removed like staged uploads. Nothing new is written there.
   */
  legacyFolder?: string | undefined;
  /** Largest document an upload may stage (bytes; default {@link defaultMaxStagedUploadBytes}); larger is a 413. */
  maxBytes?: number | undefined;
  now: () => number;
  generateId: () => string;
};

/**
 * Uploaded documents (bytes, text) between their upload and their ingestion, staged in the database: written before
 * the ingestion job is queued, read by whichever instance runs the job, removed once the document is stored, and kept
 * while it failed or was cancelled (for a retry) until it is deleted or uploaded again. A document added from a file
 * on this machine (the CLI) is read from that file and never staged.
 */
export class StagedUploads {
  private readonly blobs: ReturnType<typeof createStoredBlobRepository>;
  private readonly maxBytes: number;

  constructor(private readonly options: StagedUploadsOptions) {
    this.blobs = createStoredBlobRepository(options.database);
    this.maxBytes = options.maxBytes ?? defaultMaxStagedUploadBytes;
  }

  /** Refuses (413 `upload_too_large`) documents larger than the limit, before anything is staged. */
  assertSize(name: string, byteCount: number): void {
    if (byteCount <= this.maxBytes) return;
    throw new PayloadTooLargeError({
      message: `document ${name} has ${byteCount} bytes; an uploaded document may have at most ${this.maxBytes} bytes`, param: "documents", code: "upload_too_large",
    });
  }

  /** Stages one document's bytes; returns the reference its task and job read it by. */
  async stage(name: string, bytes: Uint8Array): Promise<string> {
    this.assertSize(name, bytes.byteLength);
    const id = this.options.generateId();
    await this.blobs.put(id, "knowledge.upload", bytes, this.options.now());
    return `${stagedUploadScheme}${id}`;
  }

  /** Whether a document's source is a staged upload (in the database, or a legacy staged file), not a user's own file. */
  isStaged(source: string): boolean {
    return blobIdOf(source) !== undefined || this.isLegacyFile(source);
  }

  /** The bytes of a document's source: a staged upload, else a file on this machine. */
  async read(source: string): Promise<Buffer> {
    const id = blobIdOf(source);
    if (id === undefined) return fs.promises.readFile(source);
    const bytes = await this.blobs.read(id);
    if (!bytes) throw new NotFoundError({ message: "the uploaded document is no longer staged; upload it again", code: "file_not_found" });
    return bytes;
  }

  /** Which of `sources` can still be read (staged uploads kept, files present). */
  async available(sources: string[]): Promise<Set<string>> {
    const ids = sources.map(blobIdOf).filter((id): id is string => id !== undefined);
    const staged = ids.length > 0 ? await this.blobs.existing(ids) : new Set<string>();
    return new Set(sources.filter((source) => {
      const id = blobIdOf(source);
      return id === undefined ? fs.existsSync(source) : staged.has(id);
    }));
  }

  /** Removes the staged uploads among `sources` (never a user's own file), legacy staged files with their empty folders. */
  async remove(sources: string[]): Promise<void> {
    const unique = [...new Set(sources)];
    const ids = unique.map(blobIdOf).filter((id): id is string => id !== undefined);
    if (ids.length > 0) await this.blobs.remove(ids);
    const folders = new Set<string>();
    for (const file of unique) {
      if (!this.isLegacyFile(file)) continue;
      await fs.promises.rm(file, { force: true });
      folders.add(path.dirname(file));
    }
    // A folder still holding other kept uploads stays (rmdir refuses a folder that is not empty).
    for (const folder of folders) if (this.isLegacyFile(folder)) await fs.promises.rmdir(folder).catch(() => undefined);
  }

  private isLegacyFile(file: string): boolean {
    if (this.options.legacyFolder === undefined || blobIdOf(file) !== undefined) return false;
    const relative = path.relative(this.options.legacyFolder, file);
    return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
  }
}

function blobIdOf(source: string): string | undefined {
  return source.startsWith(stagedUploadScheme) ? source.slice(stagedUploadScheme.length) : undefined;
}
