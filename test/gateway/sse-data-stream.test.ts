import { describe, expect, it } from "vitest";
import { createSseDataStream } from "../../src/gateway/openai-compatible/sse-data-stream.js";

async function dataOf(pieces: readonly string[]): Promise<string[]> {
  const encoder = new TextEncoder();
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  const payloads: string[] = [];
  const reader = source.pipeThrough(createSseDataStream()).getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) payloads.push(next.value);
  return payloads;
}

describe("SSE data stream", () => {
  it("joins multi-line data, ignores comments and other fields, and accepts data without a space", async () => {
    expect(await dataOf([": ping\n\nevent: message\nid: 7\ndata: {\"a\":\ndata:1}\n\ndata:[DONE]\n\n"])).toEqual(['{"a":\n1}', "[DONE]"]);
  });

  it("handles every split point of a CRLF stream identically", async () => {
    const text = "data: one\r\n\r\ndata: two\r\n\r\n";
    for (let split = 1; split < text.length; split += 1) {
      expect(await dataOf([text.slice(0, split), text.slice(split)])).toEqual(["one", "two"]);
    }
  });

  it("delivers a last event that lacks its blank line, and nothing for an empty stream", async () => {
    expect(await dataOf(["data: last"])).toEqual(["last"]);
    expect(await dataOf([])).toEqual([]);
  });
});
