import { InvalidRequestError } from "../../spec/index.js";
import { decodeImageDataUrl, ImageUrlFetcher, type ImageFile } from "../../vision/index.js";
import type { ChatRequest } from "./chat-request-schema.js";

/** The images of a chat request by their param (`messages[i].content[j]`). */
export type ChatImages = ReadonlyMap<string, ImageFile>;

/** What {@link resolveChatImages} needs: the size limit and the fetcher of http(s) URLs (config `image*`). */
export type ChatImageSettings = { maxBytes: number; fetcher: ImageUrlFetcher };

const defaultImageMaxBytes = 8 * 1024 * 1024;

/** Without configuration: 8 MiB images, data URLs only (no http(s) URL is fetched). */
export function defaultChatImageSettings(): ChatImageSettings {
  return { maxBytes: defaultImageMaxBytes, fetcher: new ImageUrlFetcher({ allowedHosts: [], maxBytes: defaultImageMaxBytes, timeoutMs: 10_000 }) };
}

/** `messages[i].content[j]`: the request field of an image part. */
export function imagePartParam(messageIndex: number, partIndex: number): string {
  return `messages[${messageIndex}].content[${partIndex}]`;
}

/**
 * Decodes every `image_url` part of a chat request: data URLs at once, http(s) URLs fetched (only when the admin allows
 * their host) in parallel. Every URL is checked before any fetch starts, so a refused one fetches nothing. Each bad
 * image is a 400 naming its part.
 */
export async function resolveChatImages(
  request: ChatRequest,
  settings: ChatImageSettings,
  signal: AbortSignal | undefined,
  /** Runs once before the first fetch (the route checks that the key may use the model, so no refused call fetches). */
  beforeFetching?: () => void,
): Promise<ChatImages> {
  const images = new Map<string, ImageFile>();
  const fetches: { url: string; param: string }[] = [];
  request.messages.forEach((message, messageIndex) => {
    if (message.role !== "user") return;
    for (const part of message.content.images) {
      const param = imagePartParam(messageIndex, part.partIndex);
      if (part.url.slice(0, 5).toLowerCase() === "data:") {
        images.set(param, decodeImageDataUrl(part.url, param, settings.maxBytes));
        continue;
      }
      let url: URL;
      try {
        url = new URL(part.url);
      } catch {
        throw new InvalidRequestError({ message: "image_url.url must be a data: URL or an absolute http(s) URL", param, code: "invalid_image_url" });
      }
      settings.fetcher.assertAllowed(url, param);
      fetches.push({ url: part.url, param });
    }
  });
  if (fetches.length > 0) beforeFetching?.();
  const fetched = await Promise.all(fetches.map(async ({ url, param }) => [param, await settings.fetcher.fetchImage(url, param, signal)] as const));
  for (const [param, image] of fetched) images.set(param, image);
  return images;
}
