import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A file the server offers at `/files/<name>`. */
export type ServedFile = {
  bytes: Buffer;
  /** Defaults to `application/octet-stream`. */
  contentType?: string;
  /** On the first request for this file only, drop the connection once this many bytes of the file were sent. */
  cutFirstRequestAfter?: number;
  /** Stop sending at this byte of the file until `release(name)` (the connection stays open). */
  holdAt?: number;
};

export type SlowFileRequest = { path: string; range: string | undefined; ifRange: string | undefined };

export type SlowFileServerOptions = {
  /** Bytes sent per tick. Defaults to 16 KiB. */
  chunkBytes?: number;
  /** Time between chunks. Defaults to 20 ms. */
  tickMs?: number;
};

/**
 * A local HTTP server that sends model files slowly, in chunks on a timer: Range and If-Range (strong ETag), an
 * optional dropped connection on the first request, an optional hold at a byte until released, Hugging Face-style
 * redirects (`/<org>/<repo>/resolve/<revision>/<file>` → `/files/<file>`), and 404 for anything else.
 */
export async function startSlowFileServer(options: SlowFileServerOptions = {}) {
  const chunkBytes = options.chunkBytes ?? 16 * 1024;
  const tickMs = options.tickMs ?? 20;
  const files = new Map<string, ServedFile & { etag: string; requests: number; released: boolean }>();
  const requests: SlowFileRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const ifRange = typeof request.headers["if-range"] === "string" ? request.headers["if-range"] : undefined;
    requests.push({ path: url.pathname, range: request.headers.range, ifRange });
    const huggingFace = /^\/[^/]+\/[^/]+\/resolve\/[^/]+\/(.+)$/.exec(url.pathname);
    if (huggingFace) {
      response.writeHead(302, { location: `/files/${huggingFace[1]}` }).end();
      return;
    }
    const name = url.pathname.startsWith("/files/") ? decodeURIComponent(url.pathname.slice("/files/".length)) : undefined;
    const file = name === undefined ? undefined : files.get(name);
    if (!file) {
      response.writeHead(404, { "content-type": "text/plain" }).end(`no file at ${url.pathname}`);
      return;
    }
    file.requests += 1;
    const rangeMatch = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    const useRange = rangeMatch !== null && (ifRange === undefined || ifRange === file.etag);
    const start = useRange ? Number(rangeMatch[1]) : 0;
    if (useRange && start >= file.bytes.length) {
      response.writeHead(416, { "content-range": `bytes */${file.bytes.length}`, etag: file.etag }).end();
      return;
    }
    const headers: Record<string, string | number> = {
      "content-type": file.contentType ?? "application/octet-stream",
      "content-length": file.bytes.length - start,
      etag: file.etag,
      "accept-ranges": "bytes",
    };
    if (useRange) headers["content-range"] = `bytes ${start}-${file.bytes.length - 1}/${file.bytes.length}`;
    response.writeHead(useRange ? 206 : 200, headers);
    const cutAt = file.requests === 1 ? file.cutFirstRequestAfter : undefined;
    let offset = start;
    const send = () => {
      if (response.destroyed) return;
      if (cutAt !== undefined && offset >= cutAt) {
        response.socket?.destroy();
        return;
      }
      if (file.holdAt !== undefined && !file.released && offset >= file.holdAt) {
        setTimeout(send, tickMs);
        return;
      }
      let end = Math.min(file.bytes.length, offset + chunkBytes);
      if (file.holdAt !== undefined && !file.released && offset < file.holdAt) end = Math.min(end, file.holdAt);
      if (cutAt !== undefined) end = Math.min(end, Math.max(cutAt, offset + 1));
      const chunk = file.bytes.subarray(offset, end);
      offset = end;
      if (offset >= file.bytes.length) {
        response.end(chunk);
        return;
      }
      response.write(chunk, () => setTimeout(send, tickMs));
    };
    send();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    /** Offers `file` at `/files/<name>` and returns its URL. */
    serve(name: string, file: ServedFile): string {
      files.set(name, { ...file, etag: `"${createHash("md5").update(file.bytes).digest("hex")}"`, requests: 0, released: false });
      return `${url}/files/${encodeURIComponent(name)}`;
    },
    /** Lets a held file go on to its end. */
    release(name: string): void {
      const file = files.get(name);
      if (file) file.released = true;
    },
    /** Requests made for a file (its `/files/` path). */
    requestsFor(name: string): SlowFileRequest[] {
      return requests.filter((request) => request.path === `/files/${encodeURIComponent(name)}`);
    },
    close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SlowFileServer = Awaited<ReturnType<typeof startSlowFileServer>>;
