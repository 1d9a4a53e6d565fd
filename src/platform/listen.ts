import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";

/** A listening HTTP server and how to reach it. */
export type Listening = { server: ServerType; url: string; port: number };

/** Serves `fetch` on host:port (port 0 picks a free one); rejects when the port cannot be bound. */
export function listen(fetch: (request: Request) => Response | Promise<Response>, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, (info: AddressInfo) => {
      server.off("error", reject);
      const hostInUrl = host.includes(":") ? `[${host}]` : host;
      resolve({ server, url: `http://${hostInUrl}:${info.port}`, port: info.port });
    });
    server.once("error", reject);
  });
}

/** Stops accepting connections; resolves once every connection is closed (idle ones are closed at once). */
export function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ("closeIdleConnections" in server) server.closeIdleConnections();
  });
}
