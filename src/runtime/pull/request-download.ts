import { DownloadError } from "./download-error.js";
import { isUnreachableError } from "./is-unreachable-error.js";

const maximumRedirects = 10;
const sha256Pattern = /^[0-9a-f]{64}$/;

export type DownloadResponse = {
  response: Response;
  /** A sha256 announced by the server (Hugging Face `x-linked-etag`, or an ETag that is a sha256). */
  announcedSha256: string | undefined;
};

export type RequestDownloadOptions = {
  url: URL;
  /** Bytes already on disk: sends `Range: bytes=<offset>-` when positive. */
  offset: number;
  /** Sent as `If-Range` with the Range: the server sends the whole file (200) when its version changed. */
  ifRange?: string | undefined;
  fetch: typeof globalThis.fetch;
  signal?: AbortSignal | undefined;
  /** Completes the "cannot reach" message: the file to copy and add by hand. */
  fileName: string;
};

/**
 * GETs `url`, following redirects by hand so a `Range` header and Hugging Face's `x-linked-etag` (sent on the
 * redirect, not by the CDN) survive every hop. Throws DownloadError `unreachable` when a host cannot be contacted.
 */
export async function requestDownload(options: RequestDownloadOptions): Promise<DownloadResponse> {
  let url = options.url;
  let announcedSha256: string | undefined;
  for (let redirects = 0; ; redirects += 1) {
    const headers: Record<string, string> = { "accept-encoding": "identity" };
    if (options.offset > 0) {
      headers.range = `bytes=${options.offset}-`;
      if (options.ifRange !== undefined) headers["if-range"] = options.ifRange;
    }
    let response: Response;
    try {
      response = await options.fetch(url, { headers, redirect: "manual", signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (isUnreachableError(error)) {
        throw new DownloadError({
          failure: "unreachable",
          message: `cannot reach ${url.host}; copy the file to this machine and run \`aiplus models add ${options.fileName}\``,
          cause: error,
        });
      }
      throw new DownloadError({ failure: "interrupted", message: `download from ${url.host} failed: ${describe(error)}`, cause: error });
    }
    announcedSha256 ??= sha256FromEtag(response.headers.get("x-linked-etag"));
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      if (redirects >= maximumRedirects) {
        throw new DownloadError({ failure: "http-status", message: `too many redirects downloading ${options.url.href}`, upstreamStatus: response.status });
      }
      url = new URL(location, url);
      continue;
    }
    announcedSha256 ??= sha256FromEtag(response.headers.get("etag"));
    return { response, announcedSha256 };
  }
}

function sha256FromEtag(etag: string | null): string | undefined {
  if (etag === null) return undefined;
  const value = etag.replace(/^W\//, "").replaceAll('"', "").trim().toLowerCase();
  return sha256Pattern.test(value) ? value : undefined;
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return typeof cause?.message === "string" ? `${message} (${cause.message})` : message;
}
