import { InvalidRequestError } from "../spec/index.js";
import { checkImage, type ImageFile } from "./image-file.js";

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes `data:image/<type>;base64,<data>` and checks the image (see {@link checkImage}); the declared type must be an
 * image type, the contents decide which. Throws InvalidRequestError naming `param` (`invalid_image_url`, or the image's
 * own codes).
 */
export function decodeImageDataUrl(url: string, param: string, maxBytes: number): ImageFile {
  const comma = url.indexOf(",");
  const header = comma < 0 ? url : url.slice(0, comma);
  const match = /^data:([^;,]*)((?:;[^;,]*)*)$/i.exec(header);
  if (comma < 0 || !match) throw new InvalidRequestError({ message: "the image data URL is malformed: expected data:image/<type>;base64,<data>", param, code: "invalid_image_url" });
  const mediaType = match[1]!.trim().toLowerCase();
  if (!mediaType.startsWith("image/")) throw new InvalidRequestError({ message: `the data URL holds ${mediaType || "no media type"}, not an image`, param, code: "invalid_image" });
  if (!match[2]!.toLowerCase().split(";").includes("base64")) throw new InvalidRequestError({ message: "the image data URL must be base64-encoded (data:image/<type>;base64,…)", param, code: "invalid_image_url" });
  const encoded = url.slice(comma + 1).replace(/\s+/g, "");
  // Refuse before decoding when the encoded size alone is over the limit (4 characters per 3 bytes).
  if (Math.floor((encoded.length * 3) / 4) - 2 > maxBytes) {
    throw new InvalidRequestError({ message: `the image is larger than the limit of ${maxBytes} bytes (AIPLUS_IMAGE_MAX_BYTES)`, param, code: "image_too_large" });
  }
  if (encoded.length % 4 === 1 || !base64Pattern.test(encoded)) throw new InvalidRequestError({ message: "the image data URL is not valid base64", param, code: "invalid_image_url" });
  return checkImage(Buffer.from(encoded, "base64"), param, maxBytes);
}
