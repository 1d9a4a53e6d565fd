import type { Hash } from "node:crypto";
import fs from "node:fs/promises";
import { DownloadError } from "./download-error.js";

export type WriteBodyOptions = {
  body: ReadableStream<Uint8Array>;
  /** The `.partial` file; opened for append when `offset` is positive, else truncated. */
  file: string;
  offset: number;
  total: number | undefined;
  hash: Hash;
  fileName: string;
  onProgress?: ((bytesDone: number) => void) | undefined;
  signal?: AbortSignal | undefined;
};

/**
 * Streams a response body into the `.partial` file, hashing as it goes. Every byte received is on disk before this
 * returns or throws, so an interrupted download resumes where it stopped. Returns the file's size.
 */
export async function writeBody(options: WriteBodyOptions): Promise<number> {
  const handle = await fs.open(options.file, options.offset > 0 ? "a" : "w");
  let bytesDone = options.offset;
  const reader = options.body.getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const chunk = read.value;
      await handle.write(chunk);
      options.hash.update(chunk);
      bytesDone += chunk.byteLength;
      options.onProgress?.(bytesDone);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (options.signal?.aborted) throw options.signal.reason;
    throw interrupted(options, bytesDone, error);
  } finally {
    await handle.close();
  }
  if (options.total !== undefined && bytesDone < options.total) throw interrupted(options, bytesDone, undefined);
  return bytesDone;
}

function interrupted(options: WriteBodyOptions, bytesDone: number, cause: unknown): DownloadError {
  const of = options.total === undefined ? "" : ` of ${options.total}`;
  return new DownloadError({
    failure: "interrupted",
    message: `download of ${options.fileName} was interrupted after ${bytesDone}${of} bytes; run the same command again to resume`,
    cause,
  });
}
