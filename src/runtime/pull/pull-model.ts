import { createHash, type Hash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { InvalidModelFileError, InvalidRequestError } from "../../spec/index.js";
import { checkGgufFile } from "../inspect-gguf.js";
import { DownloadError } from "./download-error.js";
import { hashFile } from "./hash-file.js";
import { ifRangeValidator, type PartialDownloadState, partialStatePath, readPartialState, removePartial, strongEtag, writePartialState } from "./partial-download-state.js";
import { requestDownload } from "./request-download.js";
import { resolvePullSource } from "./resolve-pull-source.js";
import { writeBody } from "./write-body.js";

/** Progress of a download; `bytesTotal` is undefined when the server sends no length. */
export type PullProgress = { bytesDone: number; bytesTotal: number | undefined; resumedFrom: number };

export type PullModelOptions = {
  /** `hf:org/repo/path/file.gguf`, `hf:org/repo:revision/file.gguf`, or an `http(s)://` URL. */
  source: string;
  /** Folder the file lands in (`<modelsDir>/<file>`; the download goes to `<file>.partial` first). */
  modelsDir: string;
  /** Expected sha256 (hex). Defaults to the server's sha256 ETag when it has one, else no check. */
  sha256?: string | undefined;
  /** Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Where `hf:` sources point. Defaults to `https://huggingface.co`. */
  huggingFaceUrl?: string | undefined;
  /** Called as bytes arrive (and once at the start). */
  onProgress?: ((progress: PullProgress) => void) | undefined;
  /** Aborting stops the download and keeps the `.partial` file (and its validator) for a later resume. */
  signal?: AbortSignal | undefined;
};

export type PullResult = {
  /** Absolute path of the downloaded file. */
  path: string;
  fileName: string;
  url: string;
  sha256: string;
  bytes: number;
  /** What the sha256 was checked against: the `sha256` option, the server's ETag, or nothing. */
  verifiedAgainst: "option" | "etag" | undefined;
  /** Bytes that were already on disk from an earlier, interrupted download (0 for a fresh one). */
  resumedFrom: number;
};

const sha256Pattern = /^[0-9a-f]{64}$/;

/**
 * Downloads a model file with HTTP Range resume, a sha256 check, a GGUF check and an atomic rename into `modelsDir`.
 *
 * Resume rules: the first response's strong ETag (else Last-Modified) and total size are stored beside the
 * `.partial` file (`.partial.json`); a resume sends `Range` with `If-Range: <validator>`. A partial without a stored
 * validator, a 200 answer, or a 206 whose total size or validator differs from the stored ones restarts from zero,
 * so two versions of a file are never spliced. Before the rename the file must match the sha256 (when known) and be
 * a complete GGUF file; otherwise the download is deleted. Nothing but a verified file is ever at `<modelsDir>/<file>`.
 *
 * Throws InvalidRequestError for a bad source, bad sha256 or an existing valid file, DownloadError otherwise
 * (`unreachable` with a hint to copy the file and `aiplus models add` it, `invalid-file` for a download that is not GGUF).
 */
export async function pullModel(options: PullModelOptions): Promise<PullResult> {
  const source = resolvePullSource(options.source, options.huggingFaceUrl);
  const expected = options.sha256?.trim().toLowerCase();
  if (expected !== undefined && !sha256Pattern.test(expected)) {
    throw new InvalidRequestError({ message: `sha256 must be 64 hexadecimal characters, got ${options.sha256}`, param: "sha256" });
  }
  const modelsDir = path.resolve(options.modelsDir);
  const target = path.join(modelsDir, source.fileName);
  const partial = `${target}.partial`;
  if (await exists(target)) {
    // A file that is not a complete GGUF (left by an older, unchecked pull) is replaced, not "already there".
    if (await isGgufFile(target)) {
      throw new InvalidRequestError({ message: `${target} already exists; register it with \`aiplus models add ${target}\` or delete it first`, param: "source" });
    }
    await fs.rm(target, { force: true });
  }
  await fs.mkdir(modelsDir, { recursive: true });
  const fetchImplementation = options.fetch ?? globalThis.fetch;

  for (let attempt = 0; ; attempt += 1) {
    let offset = await sizeOf(partial);
    const stored = offset > 0 ? await readPartialState(partial) : undefined;
    const validator = stored?.url === source.url.href ? ifRangeValidator(stored) : undefined;
    if (offset > 0 && validator === undefined) {
      // Without the version it came from, the partial cannot be safely continued.
      await removePartial(partial);
      offset = 0;
    }
    const { response, announcedSha256 } = await requestDownload({
      url: source.url, offset, ifRange: validator, fetch: fetchImplementation, signal: options.signal, fileName: source.fileName,
    });
    const plan = await planWrite(response, offset, partial, stored);
    if (plan === "restart" && attempt === 0) {
      await response.body?.cancel();
      await removePartial(partial);
      continue;
    }
    if (plan === "restart" || plan === "failed") {
      await response.body?.cancel();
      throw new DownloadError({
        failure: "http-status",
        message: `download of ${source.url.href} failed: HTTP ${response.status} ${response.statusText}`.trim(),
        upstreamStatus: response.status,
      });
    }
    let bytes = offset;
    let hash: Hash;
    if (plan.kind === "complete") {
      hash = await hashFile(partial);
    } else {
      if (plan.from === 0) {
        await writePartialState(partial, {
          url: source.url.href,
          etag: strongEtag(response),
          lastModified: response.headers.get("last-modified") ?? undefined,
          total: plan.total,
        });
      }
      hash = plan.from > 0 ? await hashFile(partial) : createHash("sha256");
      options.onProgress?.({ bytesDone: plan.from, bytesTotal: plan.total, resumedFrom: plan.from });
      bytes = await writeBody({
        body: response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() }),
        file: partial,
        offset: plan.from,
        total: plan.total,
        hash,
        fileName: source.fileName,
        onProgress: (bytesDone) => options.onProgress?.({ bytesDone, bytesTotal: plan.total, resumedFrom: plan.from }),
        signal: options.signal,
      });
    }
    const actual = hash.digest("hex");
    const check = expected ?? announcedSha256;
    if (check !== undefined && check !== actual) {
      await removePartial(partial);
      throw new DownloadError({
        failure: "checksum-mismatch",
        message: `sha256 mismatch for ${source.fileName}: expected ${check}, got ${actual}; the download was deleted`,
      });
    }
    const invalid = await checkGgufFile(partial).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (invalid !== undefined) {
      await removePartial(partial);
      if (!(invalid instanceof InvalidModelFileError)) throw invalid;
      throw new DownloadError({
        failure: "invalid-file",
        message: `the download of ${source.url.href} is not a usable GGUF file (${invalid.message.replace(`${partial} `, "")}); it was deleted`,
        cause: invalid,
      });
    }
    await fs.rename(partial, target);
    await fs.rm(partialStatePath(partial), { force: true });
    return {
      path: target,
      fileName: source.fileName,
      url: source.url.href,
      sha256: actual,
      bytes,
      verifiedAgainst: expected !== undefined ? "option" : announcedSha256 !== undefined ? "etag" : undefined,
      resumedFrom: plan.kind === "complete" ? offset : plan.from,
    };
  }
}

type WritePlan = { kind: "write"; from: number; total: number | undefined } | { kind: "complete" } | "restart" | "failed";

/**
 * Decides from the status how the body continues the `.partial` file: a 200 rewrites it from zero; a 206 continues it
 * only when it starts at the partial's end and the file is the same version (total size and validators unchanged).
 */
async function planWrite(response: Response, offset: number, partial: string, stored: PartialDownloadState | undefined): Promise<WritePlan> {
  const length = parseLength(response.headers.get("content-length"));
  const range = parseContentRange(response.headers.get("content-range"));
  if (response.status === 200) return { kind: "write", from: 0, total: length };
  if (response.status === 206) {
    if (range?.start !== offset || !sameVersion(response, range.total, stored)) return "restart";
    return { kind: "write", from: offset, total: range.total ?? (length === undefined ? undefined : offset + length) };
  }
  if (response.status === 416 && offset > 0) {
    // The partial may already hold the whole file (a crash between the last byte and the rename).
    const whole = range?.total === offset && (stored?.total === undefined || stored.total === offset);
    return whole && (await sizeOf(partial)) === offset ? { kind: "complete" } : "restart";
  }
  return "failed";
}

/** False when a 206 shows that the file changed since the partial was started (a server that ignored If-Range). */
function sameVersion(response: Response, total: number | undefined, stored: PartialDownloadState | undefined): boolean {
  if (stored === undefined) return true;
  if (stored.total !== undefined && total !== undefined && stored.total !== total) return false;
  const etag = strongEtag(response);
  if (stored.etag !== undefined && etag !== undefined && stored.etag !== etag) return false;
  const lastModified = response.headers.get("last-modified") ?? undefined;
  return stored.lastModified === undefined || lastModified === undefined || stored.lastModified === lastModified;
}

function parseLength(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** `bytes 100-199/1000` → {start: 100, total: 1000}; `bytes *\/1000` (after a 416) → {start: undefined, total: 1000}. */
function parseContentRange(value: string | null): { start: number | undefined; total: number | undefined } | undefined {
  const match = value === null ? null : /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!match) return undefined;
  return {
    start: match[1] === undefined ? undefined : Number(match[1]),
    total: match[2] === undefined || match[2] === "*" ? undefined : Number(match[2]),
  };
}

async function sizeOf(file: string): Promise<number> {
  const stat = await fs.stat(file).catch(() => undefined);
  return stat?.isFile() ? stat.size : 0;
}

async function isGgufFile(file: string): Promise<boolean> {
  return checkGgufFile(file).then(
    () => true,
    () => false,
  );
}

async function exists(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined)) !== undefined;
}
