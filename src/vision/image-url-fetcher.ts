import { AddressPolicy, guardedFetch, type LookupAll } from "../mcp/index.js";
import { hostAllowed } from "../server-tools/http-fetch-tool.js";
import { InvalidRequestError } from "../spec/index.js";
import { checkImage, type ImageFile } from "./image-file.js";

/** Options of {@link ImageUrlFetcher}: config `imageUrlAllowedHosts`, `imageMaxBytes`, `imageFetchTimeoutMs`. */
export type ImageUrlFetcherOptions = {
  /** Exact hosts or addresses, `*.domain`, CIDR ranges, `*`. Empty: every http(s) image URL is refused. */
  allowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  /** Redirects followed, each checked like the first URL. Defaults to 3. */
  maxRedirects?: number | undefined;
  lookup?: LookupAll | undefined;
};

function refused(param: string, message: string, code: string): InvalidRequestError {
  return new InvalidRequestError({ message, param, code });
}

/**
 * Fetches the http(s) URL of a chat `image_url` part: only from allowed hosts (loopback and private addresses only
 * when an exact entry names them, checked again at connect time), with a time limit, a size limit (declared and read)
 * and an image content type; the bytes are checked like a data URL's. Every refusal and failure is an
 * InvalidRequestError naming the part's param.
 */
export class ImageUrlFetcher {
  private readonly fetch: typeof globalThis.fetch;

  constructor(private readonly options: ImageUrlFetcherOptions) {
    const exact = options.allowedHosts.filter((entry) => entry !== "*" && !entry.startsWith("*."));
    this.fetch = guardedFetch(new AddressPolicy(exact, options.lookup));
  }

  /** Whether any http(s) image URL may be fetched at all. */
  get enabled(): boolean {
    return this.options.allowedHosts.length > 0;
  }

  /** Throws at once when `url` may not be fetched (before anything connects). */
  assertAllowed(url: URL, param: string): void {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw refused(param, `image_url must be a data: URL or an http(s) URL; got ${url.protocol}`, "invalid_image_url");
    }
    if (!this.enabled) {
      throw refused(param, "image URLs are not fetched on this server: send the image as a data URL (data:image/png;base64,…), or ask the admin to allow its host (AIPLUS_IMAGE_URL_ALLOWED_HOSTS)", "image_url_not_allowed");
    }
    if (url.username !== "" || url.password !== "") throw refused(param, "image URLs with credentials are refused", "image_url_not_allowed");
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    if (!hostAllowed(host, this.options.allowedHosts)) {
      throw refused(param, `images may not be fetched from ${host}: it is not in AIPLUS_IMAGE_URL_ALLOWED_HOSTS (config imageUrlAllowedHosts)`, "image_url_not_allowed");
    }
  }

  async fetchImage(text: string, param: string, signal: AbortSignal | undefined): Promise<ImageFile> {
    const { maxBytes, timeoutMs } = this.options;
    const maxRedirects = this.options.maxRedirects ?? 3;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let url = new URL(text);
    for (let redirects = 0; ; redirects++) {
      this.assertAllowed(url, param);
      let response: Response;
      try {
        response = await this.fetch(url, { method: "GET", headers: { accept: "image/*" }, signal: combined });
      } catch (error) {
        signal?.throwIfAborted();
        if (timeout.aborted) throw refused(param, `fetching the image from ${url.origin} timed out after ${timeoutMs} ms`, "image_fetch_failed");
        throw refused(param, `fetching the image from ${url.origin} failed: ${(error as Error).message}`, "image_fetch_failed");
      }
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel().catch(() => undefined);
        if (redirects >= maxRedirects) throw refused(param, `fetching the image followed ${maxRedirects} redirects; stopped at ${url.href}`, "image_fetch_failed");
        url = new URL(location, url);
        continue;
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        throw refused(param, `fetching the image from ${url.href} failed: HTTP ${response.status}`, "image_fetch_failed");
      }
      const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (!contentType.startsWith("image/")) {
        await response.body?.cancel().catch(() => undefined);
        throw refused(param, `${url.href} is ${contentType || "of no content type"}, not an image`, "invalid_image");
      }
      const data = await this.readAtMost(response, param, url.href, timeout);
      return checkImage(data, param, maxBytes);
    }
  }

  private async readAtMost(response: Response, param: string, href: string, timeout: AbortSignal): Promise<Uint8Array> {
    const { maxBytes, timeoutMs } = this.options;
    const tooLarge = (size: string) => refused(param, `the image at ${href} is ${size} than the limit of ${maxBytes} bytes (AIPLUS_IMAGE_MAX_BYTES)`, "image_too_large");
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(`${declared} bytes, more`);
    }
    if (!response.body) return new Uint8Array();
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        total += next.value.byteLength;
        if (total > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge("larger");
        }
        chunks.push(next.value);
      }
    } catch (error) {
      if (error instanceof InvalidRequestError) throw error;
      if (timeout.aborted) throw refused(param, `fetching the image from ${href} timed out after ${timeoutMs} ms`, "image_fetch_failed");
      throw refused(param, `reading the image from ${href} failed: ${(error as Error).message}`, "image_fetch_failed");
    }
    return Buffer.concat(chunks);
  }
}
