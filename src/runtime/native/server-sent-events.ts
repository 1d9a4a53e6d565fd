import type { IncomingMessage } from "node:http";

/** One event of llama-server's stream: `data: {...}` (a result) or `error: {...}` (the task failed). */
export type WorkerEvent = { kind: "data" | "error"; payload: unknown };

/**
 * Splits a llama-server SSE body into events, parsing each one's JSON once. Calls `onEvent` per event and `onEnd`
 * once when the body ends or breaks off (with the transport error, if any).
 */
export function readWorkerEvents(
  response: IncomingMessage,
  onEvent: (event: WorkerEvent) => void,
  onEnd: (error: unknown) => void,
): void {
  let buffer = "";
  let ended = false;
  const end = (error: unknown): void => {
    if (ended) return;
    ended = true;
    onEnd(error);
  };
  response.setEncoding("utf8");
  response.on("data", (chunk: string) => {
    buffer += chunk;
    let boundary = buffer.indexOf("\n\n");
    while (boundary >= 0) {
      const event = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf("\n\n");
      if (ended) return;
      const parsed = parseEvent(event);
      if (parsed) onEvent(parsed);
    }
  });
  response.once("end", () => end(undefined));
  response.once("error", (error) => end(error));
  response.once("close", () => end(response.complete ? undefined : new Error("the worker closed the stream before its end")));
}

function parseEvent(text: string): WorkerEvent | undefined {
  const separator = text.indexOf(":");
  if (separator <= 0) return undefined;
  const field = text.slice(0, separator);
  if (field !== "data" && field !== "error") return undefined;
  const value = text.slice(separator + 1).trim();
  if (value === "" || value === "[DONE]") return undefined;
  return { kind: field, payload: JSON.parse(value) as unknown };
}

/** Reads a whole (non-streamed) JSON response body. */
export async function readJson(response: IncomingMessage): Promise<unknown> {
  response.setEncoding("utf8");
  let text = "";
  for await (const chunk of response) text += chunk as string;
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}
