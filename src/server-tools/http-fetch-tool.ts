import net from "node:net";
import { z } from "zod";
import { AddressPolicy, guardedFetch, type LookupAll } from "../mcp/index.js";
import { AiplusError } from "../spec/index.js";
import type { ServerTool } from "./server-tool.js";

/** Options of {@link httpFetchTool}. */
export type HttpFetchToolOptions = {
  /** Config `httpFetchAllowedHosts`: exact hosts or addresses, `*.domain`, CIDR ranges, `*`. Empty: every fetch is refused. */
  allowedHosts: readonly string[];
  /** Largest body read, in bytes. Defaults to 1 MiB. */
  maxBytes?: number | undefined;
  /** Timeout of the whole fetch (redirects included). Defaults to 15000 ms. */
  timeoutMs?: number | undefined;
  /** Redirects followed, each checked like the first URL. Defaults to 5. */
  maxRedirects?: number | undefined;
  /** Hostname resolution. Defaults to `dns.lookup` with `all: true`. */
  lookup?: LookupAll | undefined;
};

const argumentsSchema = z.object({ url: z.string().min(1).max(4096) });

/** Content types whose body is returned (text only). */
const textType = /^(text\/[a-z0-9.+-]+|application\/(json|xml|xhtml\+xml|javascript|ld\+json|[a-z0-9.-]+\+(json|xml)))$/;

/**
 * Built-in `http_fetch`: GETs a URL and returns its status, content type and text body. Only hosts of the allow-list
 * (config `httpFetchAllowedHosts`, deny-all by default); loopback and private addresses only when an exact entry names
 * them (the MCP address policy, checked again at connect time); redirects re-checked; text content types only; bodies
 * larger than `maxBytes` refused; a timeout. A refusal is the call's error (nothing is fetched).
 */
export function httpFetchTool(options: HttpFetchToolOptions): ServerTool {
  const maxBytes = options.maxBytes ?? 1_048_576;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const exact = options.allowedHosts.filter((entry) => entry !== "*" && !entry.startsWith("*."));
  const fetch = guardedFetch(new AddressPolicy(exact, options.lookup));
  return {
    name: "http_fetch",
    description: "Fetches a web page or text document by URL (HTTP GET) and returns its status and text.",
    parameters: { type: "object", properties: { url: { type: "string", description: "http(s) URL" } }, required: ["url"], additionalProperties: false },
    idempotent: true,
    requiresApproval: false,
    async execute(args, context) {
      const parsed = argumentsSchema.safeParse(args);
      if (!parsed.success) throw new Error("http_fetch takes {url}");
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
      let url = parsed.data.url;
      for (let redirects = 0; ; redirects++) {
        const target = checkedUrl(url, options.allowedHosts);
        let response: Response;
        try {
          response = await fetch(target, { method: "GET", headers: { accept: "text/*, application/json, application/xml" }, signal });
        } catch (error) {
          context.signal.throwIfAborted();
          if (signal.aborted) throw new Error(`http_fetch of ${target.origin} timed out after ${timeoutMs} ms`, { cause: error });
          throw new Error(`http_fetch of ${target.origin} refused or failed: ${refusalText(error)}`, { cause: error });
        }
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location !== null) {
          await response.body?.cancel().catch(() => undefined);
          if (redirects >= maxRedirects) throw new Error(`http_fetch followed ${maxRedirects} redirects; stopped at ${target.href}`);
          url = new URL(location, target).href;
          continue;
        }
        const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
        if (!textType.test(contentType)) {
          await response.body?.cancel().catch(() => undefined);
          throw new Error(`http_fetch returns text only; ${target.href} is ${contentType || "of no content type"}`);
        }
        const body = await readAtMost(response, maxBytes, target.href);
        return `HTTP ${response.status}\ncontent-type: ${contentType}\n\n${body}`;
      }
    },
  };
}

/** The URL when it is http(s) without credentials and its host is on the allow-list; throws otherwise. */
function checkedUrl(text: string, allowedHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`http_fetch needs an absolute http(s) URL; got ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`http_fetch fetches http(s) URLs only; got ${url.protocol}`);
  if (url.username !== "" || url.password !== "") throw new Error("http_fetch refuses URLs with credentials");
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (!hostAllowed(host, allowedHosts)) {
    throw new Error(`http_fetch may not fetch from ${host}: it is not in AIPLUS_HTTP_FETCH_ALLOWED_HOSTS (config httpFetchAllowedHosts)`);
  }
  return url;
}

/** Whether `host` matches an allow-list entry (exact host or address, `*.domain`, CIDR range, `*`). */
export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const family = net.isIP(host);
  return allowedHosts.some((entry) => {
    if (entry === "*" || entry === host) return true;
    if (entry.startsWith("*.")) return host.endsWith(entry.slice(1));
    const [address, prefix] = entry.split("/");
    const entryFamily = net.isIP(address ?? "");
    if (family === 0 || entryFamily !== family) return false;
    const range = new net.BlockList();
    const type = family === 4 ? "ipv4" : "ipv6";
    range.addSubnet(address!, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), type);
    return range.check(host, type);
  });
}

function refusalText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const text = AiplusError.isInstance(error) ? message.replace(/;? ?allow it with AIPLUS_MCP_ALLOWED_HOSTS \(config mcpAllowedHosts\)/, "") : message;
  return text.replace(/^url /, "");
}

async function readAtMost(response: Response, maxBytes: number, href: string): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`http_fetch refused ${href}: its body (${declared} bytes) is larger than ${maxBytes} bytes`);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    total += next.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`http_fetch refused ${href}: its body is larger than ${maxBytes} bytes`);
    }
    chunks.push(next.value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
