import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { testModelPath } from "./test-models.js";

/**
 * A tiny reranker GGUF for tests, derived from the random BERT test model: the same metadata and tensors, with
 * `bert.pooling_type` = RANK (4) and the classification head llama.cpp's BERT graph applies in rank pooling
 * (`cls.weight` [n_embd, n_embd] + `cls.bias`, tanh, then `cls.output.weight` [n_embd, 1] + `cls.output.bias`),
 * filled with seeded pseudo-random weights. node-llama-cpp's GgufInsights treats a model with a `cls.weight` or
 * `cls.output.weight` tensor and a SEP or EOS token as a ranker. The scores carry no meaning, but they are
 * deterministic and differ between documents.
 */

/** Bumped when the derivation changes, so stale cached files are not reused. */
const derivationVersion = 1;
const rankPoolingType = 4;
const defaultAlignment = 32;

/** GGUF metadata value types. */
const ValueType = {
  Uint8: 0, Int8: 1, Uint16: 2, Int16: 3, Uint32: 4, Int32: 5, Float32: 6, Bool: 7, String: 8, Array: 9, Uint64: 10, Int64: 11, Float64: 12,
} as const;
type ValueType = (typeof ValueType)[keyof typeof ValueType];
const scalarSizes: Partial<Record<ValueType, number>> = {
  [ValueType.Uint8]: 1, [ValueType.Int8]: 1, [ValueType.Bool]: 1, [ValueType.Uint16]: 2, [ValueType.Int16]: 2,
  [ValueType.Uint32]: 4, [ValueType.Int32]: 4, [ValueType.Float32]: 4, [ValueType.Uint64]: 8, [ValueType.Int64]: 8, [ValueType.Float64]: 8,
};
const ggmlTypeF32 = 0;

type KeyValue = { key: string; type: ValueType; bytes: Buffer; value: unknown };
type TensorInfo = { name: string; dimensions: bigint[]; ggmlType: number; offset: bigint };
type NewTensor = { name: string; dimensions: number[]; values: Float32Array };

/** Path of the derived reranker GGUF, built once and cached in the OS temp folder keyed by the source's sha256. */
export async function rankingTestModelPath(): Promise<string> {
  const sourcePath = await testModelPath("tiny-bert-random.gguf");
  const source = fs.readFileSync(sourcePath);
  const sha256 = createHash("sha256").update(source).digest("hex");
  const target = path.join(os.tmpdir(), `aiplus-tiny-bert-ranker-v${derivationVersion}-${sha256.slice(0, 16)}.gguf`);
  if (fs.existsSync(target)) return target;
  const partial = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
  fs.writeFileSync(partial, deriveRankingModel(source));
  fs.renameSync(partial, target);
  return target;
}

/** The derived file's bytes: every key-value and tensor of a BERT GGUF, rank pooling, plus a seeded classification head. */
export function deriveRankingModel(source: Buffer, options: { seed?: number } = {}): Buffer {
  const reader = new GgufReader(source);
  if (reader.bytes(4).toString("latin1") !== "GGUF") throw new Error("not a GGUF file");
  const version = reader.uint32();
  if (version < 2) throw new Error(`GGUF version ${version} is not supported`);
  const tensorCount = Number(reader.uint64());
  const keyValueCount = Number(reader.uint64());
  const keyValues: KeyValue[] = [];
  for (let index = 0; index < keyValueCount; index++) keyValues.push(reader.keyValue());
  const tensors: TensorInfo[] = [];
  for (let index = 0; index < tensorCount; index++) tensors.push(reader.tensorInfo());
  const alignmentEntry = keyValues.find((entry) => entry.key === "general.alignment");
  const alignment = alignmentEntry ? Number(alignmentEntry.value) : defaultAlignment;
  const dataStart = alignUp(reader.offset, alignment);

  const architecture = keyValues.find((entry) => entry.key === "general.architecture")?.value;
  if (architecture !== "bert") throw new Error(`expected a bert GGUF, got ${String(architecture)}`);
  const embeddingLength = Number(keyValues.find((entry) => entry.key === "bert.embedding_length")?.value);
  if (!Number.isInteger(embeddingLength) || embeddingLength <= 0) throw new Error("bert.embedding_length is missing");
  if (tensors.some((tensor) => tensor.name.startsWith("cls."))) throw new Error("the model already has a classification head");

  const poolingKey = "bert.pooling_type";
  const outputKeyValues = keyValues.filter((entry) => entry.key !== poolingKey).map((entry) => entry.bytes);
  outputKeyValues.push(encodeKeyValue(poolingKey, ValueType.Uint32, uint32Bytes(rankPoolingType)));

  const random = mulberry32(options.seed ?? 20240601);
  const uniform = (count: number, scale: number) => Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);
  const newTensors: NewTensor[] = [
    { name: "cls.weight", dimensions: [embeddingLength, embeddingLength], values: uniform(embeddingLength * embeddingLength, 1) },
    { name: "cls.bias", dimensions: [embeddingLength], values: uniform(embeddingLength, 0.5) },
    { name: "cls.output.weight", dimensions: [embeddingLength, 1], values: uniform(embeddingLength, 1) },
    { name: "cls.output.bias", dimensions: [1], values: uniform(1, 0.1) },
  ];

  const oldData = source.subarray(dataStart);
  let dataLength = alignUp(oldData.length, alignment);
  const newTensorInfos: Buffer[] = [];
  const newTensorData: { offset: number; bytes: Buffer }[] = [];
  for (const tensor of newTensors) {
    newTensorInfos.push(encodeTensorInfo({ name: tensor.name, dimensions: tensor.dimensions.map(BigInt), ggmlType: ggmlTypeF32, offset: BigInt(dataLength) }));
    const bytes = Buffer.from(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength);
    newTensorData.push({ offset: dataLength, bytes });
    dataLength = alignUp(dataLength + bytes.length, alignment);
  }

  const header = Buffer.concat([
    Buffer.from("GGUF", "latin1"),
    uint32Bytes(version),
    uint64Bytes(BigInt(tensorCount + newTensors.length)),
    uint64Bytes(BigInt(outputKeyValues.length)),
    ...outputKeyValues,
    ...tensors.map(encodeTensorInfo),
    ...newTensorInfos,
  ]);
  const headerLength = alignUp(header.length, alignment);
  const output = Buffer.alloc(headerLength + dataLength);
  header.copy(output, 0);
  oldData.copy(output, headerLength);
  for (const { offset, bytes } of newTensorData) bytes.copy(output, headerLength + offset);
  return output;
}

class GgufReader {
  offset = 0;
  constructor(private readonly buffer: Buffer) {}

  bytes(length: number): Buffer {
    if (this.offset + length > this.buffer.length) throw new Error("truncated GGUF file");
    const bytes = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }
  uint32(): number {
    return this.bytes(4).readUInt32LE(0);
  }
  uint64(): bigint {
    return this.bytes(8).readBigUInt64LE(0);
  }
  string(): string {
    return this.bytes(Number(this.uint64())).toString("utf8");
  }

  keyValue(): KeyValue {
    const start = this.offset;
    const key = this.string();
    const type = this.uint32() as ValueType;
    const value = this.value(type);
    return { key, type, value, bytes: this.buffer.subarray(start, this.offset) };
  }

  tensorInfo(): TensorInfo {
    const name = this.string();
    const dimensionCount = this.uint32();
    const dimensions = Array.from({ length: dimensionCount }, () => this.uint64());
    return { name, dimensions, ggmlType: this.uint32(), offset: this.uint64() };
  }

  /** Reads one value; arrays are skipped (their value is undefined), scalars and strings are decoded. */
  private value(type: ValueType): unknown {
    if (type === ValueType.String) return this.string();
    if (type === ValueType.Array) {
      const elementType = this.uint32() as ValueType;
      const count = Number(this.uint64());
      for (let index = 0; index < count; index++) this.value(elementType);
      return undefined;
    }
    const size = scalarSizes[type];
    if (size === undefined) throw new Error(`unknown GGUF value type ${type}`);
    const bytes = this.bytes(size);
    switch (type) {
      case ValueType.Uint8: case ValueType.Bool: return bytes.readUInt8(0);
      case ValueType.Int8: return bytes.readInt8(0);
      case ValueType.Uint16: return bytes.readUInt16LE(0);
      case ValueType.Int16: return bytes.readInt16LE(0);
      case ValueType.Uint32: return bytes.readUInt32LE(0);
      case ValueType.Int32: return bytes.readInt32LE(0);
      case ValueType.Float32: return bytes.readFloatLE(0);
      case ValueType.Uint64: return bytes.readBigUInt64LE(0);
      case ValueType.Int64: return bytes.readBigInt64LE(0);
      default: return bytes.readDoubleLE(0);
    }
  }
}

function encodeString(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([uint64Bytes(BigInt(bytes.length)), bytes]);
}

function encodeKeyValue(key: string, type: ValueType, value: Buffer): Buffer {
  return Buffer.concat([encodeString(key), uint32Bytes(type), value]);
}

function encodeTensorInfo(tensor: TensorInfo): Buffer {
  return Buffer.concat([
    encodeString(tensor.name),
    uint32Bytes(tensor.dimensions.length),
    ...tensor.dimensions.map(uint64Bytes),
    uint32Bytes(tensor.ggmlType),
    uint64Bytes(tensor.offset),
  ]);
}

function uint32Bytes(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value, 0);
  return bytes;
}

function uint64Bytes(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value, 0);
  return bytes;
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
