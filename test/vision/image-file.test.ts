import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../src/spec/index.js";
import { checkImage, decodeImageDataUrl, sniffImageType } from "../../src/vision/index.js";

const param = "messages[0].content[1]";

/** A JPEG's start: SOI, an APP0 segment, then a baseline frame header (SOF0) of `width`×`height`. */
function jpegStart(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
}

function refusal(run: () => unknown): { code: string | undefined; param: string | undefined; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    const { code, param: errorParam, message } = error as InvalidRequestError;
    return { code, param: errorParam, message };
  }
  throw new Error("expected a refusal");
}

describe("checkImage", () => {
  it("reads the type from the bytes", () => {
    expect(sniffImageType(jpegStart(8, 8))).toBe("image/jpeg");
    expect(sniffImageType(Buffer.from("GIF89a\x01\x00\x01\x00", "latin1"))).toBe("image/gif");
    expect(sniffImageType(Buffer.from("RIFF\0\0\0\0WEBPVP8 ", "latin1"))).toBe("image/webp");
    expect(sniffImageType(Buffer.from("%PDF-1.7"))).toBeUndefined();
  });

  it("accepts a JPEG up to its frame header and refuses one without a size or cut before it", () => {
    expect(checkImage(jpegStart(640, 480), param, 1 << 20).mediaType).toBe("image/jpeg");
    expect(refusal(() => checkImage(jpegStart(0, 480), param, 1 << 20))).toMatchObject({ code: "invalid_image", param });
    const cut = jpegStart(640, 480).subarray(0, 12);
    expect(refusal(() => checkImage(cut, param, 1 << 20)).message).toContain("truncated");
  });

  it("refuses an image over the limit before looking at it, naming the limit", () => {
    const refused = refusal(() => checkImage(jpegStart(8, 8), param, 16));
    expect(refused).toMatchObject({ code: "image_too_large", param });
    expect(refused.message).toContain("limit of 16 bytes");
  });

  it("refuses a data URL by its encoded size before decoding it", () => {
    const url = `data:image/jpeg;base64,${Buffer.alloc(3000).toString("base64")}`;
    expect(refusal(() => decodeImageDataUrl(url, param, 1000))).toMatchObject({ code: "image_too_large", param });
  });
});
