/**
 * The binary protocol of the `aiplus-score` helper process (native/src/aiplus-score.cpp). Every message is a
 * little-endian `u32` length followed by that many payload bytes. Requests: `u32 id, u8 kind, body`; replies:
 * `u32 id, u8 status (0 ok, 1 error), body`. Log-probabilities come back as float32 arrays read straight into
 * typed arrays: no full-vocabulary distribution ever reaches JavaScript.
 */

export const requestKind = { score: 1, tokenize: 2, tokenizeMany: 3 } as const;

/** Score `tokens[from..]`, each given all tokens before it. */
export type NativeScoreRequest = { tokens: readonly number[]; from: number };

/** Requests that share a prefix (one caller's call); the tool decodes their common prefix once. */
export type NativeScoreGroup = readonly NativeScoreRequest[];

/** One request's result: `logprobs[j]` scores `tokens[from + j]`; with top-k, row j of `topIds`/`topLogprobs`. */
export type NativeScoreResult = { logprobs: Float32Array; topIds: Int32Array | undefined; topLogprobs: Float32Array | undefined };

/** What the tool reports once its model is loaded (the reply with id 0). */
export type NativeScorerInfo = {
  contextSize: number;
  vocabularySize: number;
  /** -1 when the vocabulary has none. */
  bos: number;
  eos: number;
  addBos: boolean;
  trainingContext: number;
  maxSequences: number;
};

function frame(payloadBytes: number, write: (view: DataView, bytes: Uint8Array) => void): Buffer {
  const buffer = Buffer.allocUnsafe(4 + payloadBytes);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  view.setUint32(0, payloadBytes, true);
  write(view, buffer);
  return buffer;
}

export function encodeScoreRequest(id: number, groups: readonly NativeScoreGroup[], topK: number): Buffer {
  let size = 4 + 1 + 4 + 4;
  for (const group of groups) {
    size += 4;
    for (const request of group) size += 8 + 4 * request.tokens.length;
  }
  return frame(size, (view) => {
    let offset = 4;
    view.setUint32(offset, id, true);
    view.setUint8(offset + 4, requestKind.score);
    view.setUint32(offset + 5, topK, true);
    view.setUint32(offset + 9, groups.length, true);
    offset += 13;
    for (const group of groups) {
      view.setUint32(offset, group.length, true);
      offset += 4;
      for (const request of group) {
        view.setUint32(offset, request.tokens.length, true);
        view.setUint32(offset + 4, request.from, true);
        offset += 8;
        for (const token of request.tokens) {
          view.setInt32(offset, token, true);
          offset += 4;
        }
      }
    }
  });
}

export function encodeTokenizeRequest(id: number, text: string, addBos: boolean): Buffer {
  const bytes = Buffer.from(text, "utf8");
  return frame(4 + 1 + 1 + 4 + bytes.length, (view, target) => {
    view.setUint32(4, id, true);
    view.setUint8(8, requestKind.tokenize);
    view.setUint8(9, addBos ? 1 : 0);
    view.setUint32(10, bytes.length, true);
    target.set(bytes, 14);
  });
}

/** Several texts in one request (answered with each text's tokens, in order). */
export function encodeTokenizeManyRequest(id: number, texts: readonly { text: string; addBos: boolean }[]): Buffer {
  const encoded = texts.map((entry) => ({ bytes: Buffer.from(entry.text, "utf8"), addBos: entry.addBos }));
  const size = 4 + 1 + 4 + encoded.reduce((total, entry) => total + 5 + entry.bytes.length, 0);
  return frame(size, (view, target) => {
    view.setUint32(4, id, true);
    view.setUint8(8, requestKind.tokenizeMany);
    view.setUint32(9, encoded.length, true);
    let offset = 13;
    for (const entry of encoded) {
      view.setUint8(offset, entry.addBos ? 1 : 0);
      view.setUint32(offset + 1, entry.bytes.length, true);
      target.set(entry.bytes, offset + 5);
      offset += 5 + entry.bytes.length;
    }
  });
}

export function decodeTokenizeManyBody(body: Buffer, count: number): number[][] {
  const results: number[][] = [];
  let offset = 0;
  for (let index = 0; index < count; index++) {
    const tokens = body.readUInt32LE(offset);
    results.push(Array.from(int32At(body, offset + 4, tokens)));
    offset += 4 + 4 * tokens;
  }
  if (offset !== body.length) throw new Error(`aiplus-score sent ${body.length} bytes for ${count} tokenized texts, expected ${offset}`);
  return results;
}

/** A whole reply payload: its id, and either the body or the tool's error message. */
export type Reply = { id: number; ok: true; body: Buffer } | { id: number; ok: false; message: string };

export function decodeReply(payload: Buffer): Reply {
  if (payload.length < 5) throw new Error(`aiplus-score sent a reply of ${payload.length} bytes`);
  const id = payload.readUInt32LE(0);
  const status = payload.readUInt8(4);
  const body = payload.subarray(5);
  if (status === 0) return { id, ok: true, body };
  const length = body.length >= 4 ? body.readUInt32LE(0) : 0;
  return { id, ok: false, message: body.subarray(4, 4 + length).toString("utf8") };
}

/** Copies `count` little-endian 32-bit values at `offset` into an aligned typed array. */
function float32At(body: Buffer, offset: number, count: number): Float32Array {
  const copy = new Uint8Array(count * 4);
  copy.set(body.subarray(offset, offset + count * 4));
  return new Float32Array(copy.buffer);
}

function int32At(body: Buffer, offset: number, count: number): Int32Array {
  const copy = new Uint8Array(count * 4);
  copy.set(body.subarray(offset, offset + count * 4));
  return new Int32Array(copy.buffer);
}

export function decodeScoreBody(body: Buffer, groups: readonly NativeScoreGroup[], topK: number, vocabularySize: number): NativeScoreResult[][] {
  const top = Math.min(topK, vocabularySize);
  let offset = 0;
  const results = groups.map((group) =>
    group.map((request) => {
      const count = request.tokens.length - request.from;
      const logprobs = float32At(body, offset, count);
      offset += count * 4;
      let topIds: Int32Array | undefined;
      let topLogprobs: Float32Array | undefined;
      if (topK > 0) {
        topIds = int32At(body, offset, count * top);
        offset += count * top * 4;
        topLogprobs = float32At(body, offset, count * top);
        offset += count * top * 4;
      }
      return { logprobs, topIds, topLogprobs };
    }),
  );
  if (offset !== body.length) throw new Error(`aiplus-score sent ${body.length} bytes of scores, expected ${offset}`);
  return results;
}

export function decodeTokenizeBody(body: Buffer): number[] {
  const count = body.readUInt32LE(0);
  if (body.length !== 4 + 4 * count) throw new Error(`aiplus-score sent ${body.length} bytes for ${count} tokens`);
  return Array.from(int32At(body, 4, count));
}

export function decodeInfo(body: Buffer): NativeScorerInfo {
  if (body.length < 25) throw new Error(`aiplus-score sent a ready message of ${body.length} bytes`);
  return {
    contextSize: body.readUInt32LE(0),
    vocabularySize: body.readUInt32LE(4),
    bos: body.readInt32LE(8),
    eos: body.readInt32LE(12),
    addBos: body.readUInt8(16) === 1,
    trainingContext: body.readUInt32LE(17),
    maxSequences: body.readUInt32LE(21),
  };
}
