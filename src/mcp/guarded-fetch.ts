import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import type { AddressPolicy } from "./address-policy.js";

/**
 * A `fetch` for MCP servers that checks the URL against the address policy before every request and resolves the
 * host again at connect time through the same policy, so a name cannot be re-pointed at a private address between the
 * check and the connection. Redirects are not followed (a 3xx is returned as is).
 */
export function guardedFetch(policy: AddressPolicy): typeof globalThis.fetch {
  const lookup = policy.connectLookup();
  return async (input, init) => {
    const request = new Request(input, init);
    await policy.assertUrlAllowed(request.url);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body !== undefined) headers["content-length"] = String(body.length);
    const transport = url.protocol === "https:" ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const outgoing = transport.request(url, { method: request.method, headers, lookup, signal: init?.signal ?? undefined }, (incoming) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value === undefined) continue;
          for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
        }
        const status = incoming.statusCode ?? 502;
        const stream = status === 204 || status === 304 || request.method === "HEAD" ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>);
        if (stream === null) incoming.resume();
        resolve(new Response(stream, { status, statusText: incoming.statusMessage ?? "", headers: responseHeaders }));
      });
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  };
}
