export { decodeImageDataUrl } from "./data-url.js";
export { checkImage, sniffImageType, supportedImageTypes, type ImageFile, type ImageMediaType } from "./image-file.js";
export { ImageUrlFetcher, type ImageUrlFetcherOptions } from "./image-url-fetcher.js";
