import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";

export type ModelFileServerOptions = {
  /** The file served at every path under `/files/` and, through a redirect, at `/<org>/<repo>/resolve/<rev>/…`. */
  file: string;
  /** On the first request only, destroy the socket after this many body bytes. */
  cutFirstRequestAfter?: number;
  /** Sent as `x-linked-etag` on Hugging Face-style redirects (as huggingface.co does for LFS files). */
  linkedEtag?: string;
  /** Ignore Range headers and always answer 200 with the whole file. */
  ignoreRange?: boolean;
  /** Answer a Range request with 206 even when its `If-Range` no longer matches (a non-conforming server). */
  ignoreIfRange?: boolean;
  /** Send no ETag and no Last-Modified (a resume cannot be validated). */
  noValidators?: boolean;
  /** Answer every `/files/` request with 200 and an HTML page (a login or error page saved as the model). */
  html?: boolean;
};

export type RecordedRequest = { path: string; range: string | undefined; ifRange: string | undefined };

const htmlPage = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><p>Please sign in to download this file.</p></body></html>\n";

/** A strong ETag of some content (not a sha256, so it is not taken for an announced checksum). */
function etagOf(bytes: Buffer): string {
  return `"v-${createHash("md5").update(bytes).digest("hex")}"`;
}

/**
 * A local HTTP server for download tests: Range and If-Range support, an optional cut connection, Hugging Face-style
 * redirects, a file that can be replaced by a new version between requests (`replaceFile`), and an HTML mode.
 */
export async function startModelFileServer(initial: ModelFileServerOptions) {
  const options: ModelFileServerOptions = { ...initial };
  let bytes = fs.readFileSync(options.file);
  let etag = etagOf(bytes);
  let lastModified = new Date(Date.UTC(2024, 0, 1)).toUTCString();
  const requests: RecordedRequest[] = [];
  let bodyRequests = 0;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const ifRange = request.headers["if-range"];
    requests.push({ path: url.pathname, range: request.headers.range, ifRange: typeof ifRange === "string" ? ifRange : undefined });
    const huggingFace = /^\/[^/]+\/[^/]+\/resolve\/[^/]+\/(.+)$/.exec(url.pathname);
    if (huggingFace) {
      const headers: Record<string, string> = { location: `/files/${huggingFace[1]}` };
      if (options.linkedEtag) headers["x-linked-etag"] = `"${options.linkedEtag}"`;
      response.writeHead(302, headers).end();
      return;
    }
    if (!url.pathname.startsWith("/files/")) {
      response.writeHead(404).end("not found");
      return;
    }
    bodyRequests += 1;
    if (options.html) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(htmlPage) }).end(htmlPage);
      return;
    }
    const validators: Record<string, string> = options.noValidators ? {} : { etag, "last-modified": lastModified };
    const rangeMatch = options.ignoreRange ? null : /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    const validatorMatches = ifRange === undefined || ifRange === etag || ifRange === lastModified;
    const range = rangeMatch && (validatorMatches || options.ignoreIfRange) ? rangeMatch : null;
    const start = range ? Number(range[1]) : 0;
    if (start >= bytes.length && range) {
      response.writeHead(416, { "content-range": `bytes */${bytes.length}`, ...validators }).end();
      return;
    }
    const body = bytes.subarray(start);
    const headers: Record<string, string | number> = { "content-type": "application/octet-stream", "content-length": body.length, ...validators };
    if (range) headers["content-range"] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    response.writeHead(range ? 206 : 200, headers);
    const cut = bodyRequests === 1 ? options.cutFirstRequestAfter : undefined;
    if (cut === undefined) {
      response.end(body);
      return;
    }
    response.write(body.subarray(0, cut), () => {
      // Let the bytes leave before the connection drops, as a real network cut would after some data arrived.
      setTimeout(() => response.socket?.destroy(), 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Serves a new version of the file from now on: new content, new ETag, new Last-Modified. */
    replaceFile(file: string) {
      bytes = fs.readFileSync(file);
      etag = etagOf(bytes);
      lastModified = new Date(Date.UTC(2024, 0, 2)).toUTCString();
    },
    /** Changes the server's behaviour from the next request on. */
    update(changes: Partial<Omit<ModelFileServerOptions, "file">>) {
      Object.assign(options, changes);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: bind one, then close it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
