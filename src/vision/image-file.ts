import zlib from "node:zlib";
import { InvalidRequestError } from "../spec/index.js";

/** Image types the native engine decodes (llama.cpp mtmd through stb_image). */
export type ImageMediaType = "image/png" | "image/jpeg" | "image/gif" | "image/bmp";

/** A checked image: its bytes and the type its contents (not a header or a data URL) say. */
export type ImageFile = { data: Uint8Array; mediaType: ImageMediaType };

export const supportedImageTypes: readonly ImageMediaType[] = ["image/png", "image/jpeg", "image/gif", "image/bmp"];

function invalidImage(param: string, message: string, code = "invalid_image"): InvalidRequestError {
  return new InvalidRequestError({ message, param, code });
}

function startsWith(data: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  return data.length >= offset + bytes.length && bytes.every((byte, index) => data[offset + index] === byte);
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The image type from the file's first bytes; `webp` and others are named so the error can say what was sent. */
export function sniffImageType(data: Uint8Array): ImageMediaType | "image/webp" | undefined {
  if (startsWith(data, pngSignature)) return "image/png";
  if (startsWith(data, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(data, [0x47, 0x49, 0x46, 0x38]) && (data[4] === 0x37 || data[4] === 0x39) && data[5] === 0x61) return "image/gif";
  if (startsWith(data, [0x42, 0x4d])) return "image/bmp";
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return undefined;
}

/** Bits per pixel of a PNG colour type and bit depth, or undefined for an invalid pair. */
function pngBitsPerPixel(colourType: number, bitDepth: number): number | undefined {
  const channels = new Map([[0, 1], [2, 3], [3, 1], [4, 2], [6, 4]]).get(colourType);
  const depths = colourType === 0 ? [1, 2, 4, 8, 16] : colourType === 3 ? [1, 2, 4, 8] : [8, 16];
  return channels === undefined || !depths.includes(bitDepth) ? undefined : channels * bitDepth;
}

/** Walks a PNG's chunks (CRCs checked) and inflates its pixel data: a file that passes decodes. */
function checkPng(data: Uint8Array, param: string): void {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  let bitsPerPixel: number | undefined;
  let interlaced = false;
  const pixelData: Buffer[] = [];
  let ended = false;
  while (!ended) {
    if (offset + 12 > buffer.length) throw invalidImage(param, "the PNG image is truncated: it ends before its IEND chunk");
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString("latin1", offset + 4, offset + 8);
    if (offset + 12 + length > buffer.length) throw invalidImage(param, `the PNG image is truncated inside its ${type} chunk`);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    const crc = buffer.readUInt32BE(offset + 8 + length);
    if (zlib.crc32(buffer.subarray(offset + 4, offset + 8 + length)) !== crc) throw invalidImage(param, `the PNG image is corrupt: the checksum of its ${type} chunk is wrong`);
    if (offset === 8 && type !== "IHDR") throw invalidImage(param, "the PNG image is corrupt: it does not start with an IHDR chunk");
    switch (type) {
      case "IHDR":
        if (length !== 13) throw invalidImage(param, "the PNG image is corrupt: its IHDR chunk has the wrong size");
        width = body.readUInt32BE(0);
        height = body.readUInt32BE(4);
        bitsPerPixel = pngBitsPerPixel(body[9]!, body[8]!);
        interlaced = body[12] === 1;
        if (width === 0 || height === 0 || bitsPerPixel === undefined) throw invalidImage(param, "the PNG image is corrupt: its size or colour format is invalid");
        break;
      case "IDAT":
        pixelData.push(body);
        break;
      case "IEND":
        ended = true;
        break;
      default:
        break;
    }
    offset += 12 + length;
  }
  if (pixelData.length === 0) throw invalidImage(param, "the PNG image is corrupt: it has no pixel data (IDAT)");
  let pixels: Buffer;
  try {
    pixels = zlib.inflateSync(Buffer.concat(pixelData));
  } catch (error) {
    throw invalidImage(param, `the PNG image is corrupt: its pixel data does not inflate (${(error as Error).message})`);
  }
  const expected = height * (1 + Math.ceil((width * bitsPerPixel!) / 8));
  if (!interlaced && pixels.length < expected) throw invalidImage(param, `the PNG image is truncated: ${pixels.length} bytes of pixel data, ${width}x${height} needs ${expected}`);
}

/** A JPEG's markers up to its frame header (SOFn) with a non-zero size. */
function checkJpeg(data: Uint8Array, param: string): void {
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) throw invalidImage(param, "the JPEG image is corrupt: a marker is missing");
    const marker = data[offset + 1]!;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    const length = (data[offset + 2]! << 8) | data[offset + 3]!;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (offset + 9 > data.length) break;
      const height = (data[offset + 5]! << 8) | data[offset + 6]!;
      const width = (data[offset + 7]! << 8) | data[offset + 8]!;
      if (width === 0 || height === 0) throw invalidImage(param, "the JPEG image is corrupt: its size is zero");
      return;
    }
    if (length < 2) throw invalidImage(param, "the JPEG image is corrupt: a segment has an invalid length");
    offset += 2 + length;
  }
  throw invalidImage(param, "the JPEG image is truncated: it ends before its frame header");
}

/**
 * Checks that `data` is an image the native engine can decode: PNG (every chunk's checksum and the pixel data), JPEG
 * (markers up to the frame header), GIF or BMP (header), at most `maxBytes`. Throws InvalidRequestError naming `param`:
 * `image_too_large`, `unsupported_image_type` (WebP and other formats), `invalid_image` (not an image, corrupt).
 */
export function checkImage(data: Uint8Array, param: string, maxBytes: number): ImageFile {
  if (data.length > maxBytes) throw invalidImage(param, `the image is ${data.length} bytes, more than the limit of ${maxBytes} bytes (AIPLUS_IMAGE_MAX_BYTES)`, "image_too_large");
  if (data.length === 0) throw invalidImage(param, "the image is empty");
  const type = sniffImageType(data);
  switch (type) {
    case undefined:
      throw invalidImage(param, `the data is not an image: send ${supportedImageTypes.map((name) => name.slice(6).toUpperCase()).join(", ")}`);
    case "image/webp":
      throw invalidImage(param, "WebP images are not supported: send PNG, JPEG, GIF or BMP", "unsupported_image_type");
    case "image/png":
      checkPng(data, param);
      break;
    case "image/jpeg":
      checkJpeg(data, param);
      break;
    case "image/gif":
      if (data.length < 10 || ((data[6]! | (data[7]! << 8)) === 0 || (data[8]! | (data[9]! << 8)) === 0)) throw invalidImage(param, "the GIF image is corrupt: its size is zero or missing");
      break;
    case "image/bmp":
      if (data.length < 26) throw invalidImage(param, "the BMP image is truncated: it ends inside its header");
      break;
    default:
      return type satisfies never;
  }
  return { data, mediaType: type };
}
