import fs from "node:fs/promises";
import { z } from "zod";

/**
 * What a `.partial` download was started from, stored beside it as `<file>.partial.json`: a resume is only
 * safe when the server still has the same version (same validator, same total size).
 */
export type PartialDownloadState = {
  url: string;
  /** The strong ETag of the first response, if any (weak ETags cannot validate a range). */
  etag: string | undefined;
  lastModified: string | undefined;
  /** Total size announced by the first response, if any. */
  total: number | undefined;
};

const stateSchema = z.object({
  url: z.string(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  total: z.number().int().nonnegative().optional(),
});

/** `<partial>.json`. */
export function partialStatePath(partial: string): string {
  return `${partial}.json`;
}

/** The stored state, or undefined when absent or unreadable (then the partial cannot be resumed). */
export async function readPartialState(partial: string): Promise<PartialDownloadState | undefined> {
  const text = await fs.readFile(partialStatePath(partial), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = stateSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return { url: parsed.data.url, etag: parsed.data.etag, lastModified: parsed.data.lastModified, total: parsed.data.total };
}

export async function writePartialState(partial: string, state: PartialDownloadState): Promise<void> {
  await fs.writeFile(partialStatePath(partial), `${JSON.stringify(state)}\n`);
}

/** Deletes the partial file and its state. */
export async function removePartial(partial: string): Promise<void> {
  await fs.rm(partial, { force: true });
  await fs.rm(partialStatePath(partial), { force: true });
}

/** The `If-Range` value of a stored state: its strong ETag, else its Last-Modified date, else none (no resume). */
export function ifRangeValidator(state: PartialDownloadState): string | undefined {
  return state.etag ?? state.lastModified;
}

/** A response's strong ETag (`W/` ones are weak: RFC 9110 forbids them in If-Range). */
export function strongEtag(response: Response): string | undefined {
  const etag = response.headers.get("etag")?.trim();
  return etag === undefined || etag === "" || etag.startsWith("W/") ? undefined : etag;
}
