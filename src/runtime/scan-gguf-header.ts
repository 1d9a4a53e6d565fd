import fs from "node:fs/promises";

/** Where a GGUF header ends, or where the file stops short of it. */
export type GgufHeaderScan =
  | { complete: true; version: number; tensorCount: number; metadataCount: number; headerEndOffset: number }
  | {
      complete: false;
      /** Known once the 24-byte fixed header was read. */
      tensorCount: number | undefined;
      metadataCount: number | undefined;
      /** The section the file ends in. */
      section: "fixed header" | "metadata" | "tensor infos";
      fileSize: number;
    };

/** Thrown by the cursor when the file ends before the bytes it needs. */
class EndOfFile extends Error {}

const chunkBytes = 1 << 20;
/** GGUF value types (gguf.h): byte sizes of the fixed-size ones; 8 = string, 9 = array. */
const fixedSizes = new Map<number, number>([
  [0, 1], [1, 1], [2, 2], [3, 2], [4, 4], [5, 4], [6, 4], [7, 1], [10, 8], [11, 8], [12, 8],
]);
const stringType = 8;
const arrayType = 9;

/** Reads a file forward through a 1 MiB window; skips without reading. */
class FileCursor {
  position = 0;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: fs.FileHandle,
    readonly size: number,
  ) {}

  private async bytes(count: number): Promise<Buffer> {
    if (this.position + count > this.size) throw new EndOfFile();
    const end = this.position + count;
    if (this.position < this.windowStart || end > this.windowStart + this.window.length) {
      const length = Math.min(Math.max(count, chunkBytes), this.size - this.position);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, this.position);
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = this.position;
      if (bytesRead < count) throw new EndOfFile();
    }
    const offset = this.position - this.windowStart;
    this.position = end;
    return this.window.subarray(offset, offset + count);
  }

  async uint32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  async uint64(): Promise<number> {
    const value = (await this.bytes(8)).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new EndOfFile();
    return Number(value);
  }

  skip(count: number): void {
    if (this.position + count > this.size) throw new EndOfFile();
    this.position += count;
  }
}

async function skipValue(cursor: FileCursor, type: number, nesting: number): Promise<void> {
  const fixed = fixedSizes.get(type);
  if (fixed !== undefined) return cursor.skip(fixed);
  if (type === stringType) return cursor.skip(await cursor.uint64());
  if (type !== arrayType || nesting > 4) throw new TypeError(`unknown GGUF value type ${type}`);
  const elementType = await cursor.uint32();
  const count = await cursor.uint64();
  const elementSize = fixedSizes.get(elementType);
  if (elementSize !== undefined) return cursor.skip(count * elementSize);
  for (let index = 0; index < count; index += 1) await skipValue(cursor, elementType, nesting + 1);
}

/**
 * Walks a GGUF (v2/v3) header: fixed header, metadata key/values and tensor infos, without parsing values.
 * Says where the header ends, or in which section the file stops (a truncated download). Returns undefined
 * for a file that is not GGUF v2/v3 or holds an unknown value type (the full parser then reports it).
 */
export async function scanGgufHeader(path: string): Promise<GgufHeaderScan | undefined> {
  const handle = await fs.open(path, "r");
  try {
    const { size } = await handle.stat();
    const cursor = new FileCursor(handle, size);
    let tensorCount: number | undefined;
    let metadataCount: number | undefined;
    let section: "fixed header" | "metadata" | "tensor infos" = "fixed header";
    try {
      cursor.skip(4);
      const version = await cursor.uint32();
      if (version !== 2 && version !== 3) return undefined;
      tensorCount = await cursor.uint64();
      metadataCount = await cursor.uint64();
      section = "metadata";
      for (let index = 0; index < metadataCount; index += 1) {
        cursor.skip(await cursor.uint64());
        await skipValue(cursor, await cursor.uint32(), 0);
      }
      section = "tensor infos";
      for (let index = 0; index < tensorCount; index += 1) {
        cursor.skip(await cursor.uint64());
        const dimensions = await cursor.uint32();
        cursor.skip(dimensions * 8 + 4 + 8);
      }
      return { complete: true, version, tensorCount, metadataCount, headerEndOffset: cursor.position };
    } catch (error) {
      if (error instanceof EndOfFile) return { complete: false, tensorCount, metadataCount, section, fileSize: size };
      if (error instanceof TypeError) return undefined;
      throw error;
    }
  } finally {
    await handle.close();
  }
}
