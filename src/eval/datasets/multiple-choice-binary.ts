import { InvalidRequestError } from "../../spec/index.js";
import { readDatasetBytes } from "./read-dataset-file.js";

export type MultipleChoiceAnswers = { answers: string[]; labels: number[] };

/** One task of llama.cpp's `--multiple-choice` binary format. */
export type MultipleChoiceBinaryTask = {
  index: number;
  question: string;
  /** Single correct answer (label 1); the only set llama.cpp scores. */
  mc1: MultipleChoiceAnswers;
  /** Several correct answers; read but ignored by llama.cpp. */
  mc2: MultipleChoiceAnswers;
};

const maximumAnswers = 100;

/**
 * Little-endian `u32 n; u32 pos[n]`, then per task `str question; answers mc1; answers mc2` with
 * `str = u32 length + bytes` and `answers = u32 k (≤100); str[k]; i32 label[k]`. When all tasks are used,
 * llama.cpp reads the tasks sequentially after the position table (the offsets are only used for random
 * selection), and so do we. Strings are decoded as UTF-8.
 */
export function parseMultipleChoiceBinary(bytes: Uint8Array, source = "multiple-choice"): MultipleChoiceBinaryTask[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder("utf-8");
  let offset = 0;
  const fail = (message: string): never => {
    throw new InvalidRequestError({ message: `${source}: ${message} at byte ${offset}`, code: "invalid_dataset" });
  };
  const readU32 = (): number => {
    if (offset + 4 > bytes.byteLength) fail("unexpected end of file");
    const value = view.getUint32(offset, true);
    offset += 4;
    return value;
  };
  const readI32 = (): number => {
    if (offset + 4 > bytes.byteLength) fail("unexpected end of file");
    const value = view.getInt32(offset, true);
    offset += 4;
    return value;
  };
  const readString = (): string => {
    const length = readU32();
    if (offset + length > bytes.byteLength) fail("string runs past the end of file");
    const value = decoder.decode(bytes.subarray(offset, offset + length));
    offset += length;
    return value;
  };
  const readAnswers = (): MultipleChoiceAnswers => {
    const count = readU32();
    if (count > maximumAnswers) fail(`${count} answers (at most ${maximumAnswers})`);
    const answers = Array.from({ length: count }, readString);
    const labels = Array.from({ length: count }, readI32);
    return { answers, labels };
  };
  const taskCount = readU32();
  if (taskCount === 0) fail("no tasks");
  if (4 + taskCount * 4 > bytes.byteLength) fail(`position table of ${taskCount} tasks runs past the end of file`);
  offset += taskCount * 4;
  const tasks: MultipleChoiceBinaryTask[] = [];
  for (let index = 0; index < taskCount; index += 1) {
    const question = readString();
    const mc1 = readAnswers();
    const mc2 = readAnswers();
    tasks.push({ index, question, mc1, mc2 });
  }
  return tasks;
}

/** Writes the same layout (with a correct position table); used to derive fixtures from other formats. */
export function encodeMultipleChoiceBinary(tasks: readonly Omit<MultipleChoiceBinaryTask, "index">[]): Buffer {
  const encoder = new TextEncoder();
  const u32 = (value: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    return buffer;
  };
  const i32 = (value: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32LE(value);
    return buffer;
  };
  const string = (value: string) => {
    const encoded = encoder.encode(value);
    return Buffer.concat([u32(encoded.byteLength), encoded]);
  };
  const answers = (set: MultipleChoiceAnswers) => Buffer.concat([u32(set.answers.length), ...set.answers.map(string), ...set.labels.map(i32)]);
  const bodies = tasks.map((task) => Buffer.concat([string(task.question), answers(task.mc1), answers(task.mc2)]));
  const positions: number[] = [];
  let position = 4 + 4 * tasks.length;
  for (const body of bodies) {
    positions.push(position);
    position += body.byteLength;
  }
  return Buffer.concat([u32(tasks.length), ...positions.map(u32), ...bodies]);
}

export async function loadMultipleChoiceBinary(path: string): Promise<MultipleChoiceBinaryTask[]> {
  return parseMultipleChoiceBinary(await readDatasetBytes(path), path);
}
