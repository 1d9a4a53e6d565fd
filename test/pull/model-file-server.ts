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
};

export type RecordedRequest = { path: string; range: string | undefined };

/** A local HTTP server for download tests: Range support, an optional cut connection, Hugging Face-style redirects. */
export async function startModelFileServer(options: ModelFileServerOptions) {
  const bytes = fs.readFileSync(options.file);
  const requests: RecordedRequest[] = [];
  let bodyRequests = 0;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    requests.push({ path: url.pathname, range: request.headers.range });
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
    const range = options.ignoreRange ? undefined : /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    if (start >= bytes.length && range) {
      response.writeHead(416, { "content-range": `bytes */${bytes.length}` }).end();
      return;
    }
    const body = bytes.subarray(start);
    const headers: Record<string, string | number> = { "content-type": "application/octet-stream", "content-length": body.length };
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
