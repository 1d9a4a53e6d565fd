import type { LanguageModelStreamPart } from "../spec/index.js";
import { isRetryableError } from "./retry-policy.js";
import type { RouteCall } from "./run-with-failover.js";

export type MonitorStreamOptions = {
  /** Hold every part until the stream finishes (the caller sends nothing before the end: a non-streamed response). */
  holdUntilFinish: boolean;
  abortSignal: AbortSignal | undefined;
};

function isContent(part: LanguageModelStreamPart): boolean {
  return part.type === "text-delta" || part.type === "tool-call" || part.type === "prompt-echo";
}

/**
 * Reads a route's stream up to the point where something would reach the client: its first content part (or,
 * with `holdUntilFinish`, its end), holding back the parts before it. A retryable `error` part before that point
 * (a cut stream, an upstream error event) is thrown, so the gateway retries or fails over with nothing sent.
 * After that point the parts pass through unchanged, and the route's call is reported when the stream ends: a
 * success only at a normal `finish`, a failure at a retryable `error` (a cut after content was handed on),
 * released otherwise (cancelled, aborted, non-retryable error).
 */
export async function monitorStreamFailures(
  stream: ReadableStream<LanguageModelStreamPart>,
  call: RouteCall,
  options: MonitorStreamOptions,
): Promise<ReadableStream<LanguageModelStreamPart>> {
  const reader = stream.getReader();
  const held: LanguageModelStreamPart[] = [];
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      const part = next.value;
      if (part.type === "error" && isRetryableError(part.error) && !options.abortSignal?.aborted) throw part.error;
      held.push(part);
      if (part.type === "finish" || part.type === "error" || (!options.holdUntilFinish && isContent(part))) break;
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }

  const observe = (part: LanguageModelStreamPart): void => {
    if (part.type === "finish") {
      if (part.finishReason.unified === "cancelled") call.released();
      else call.succeeded();
    } else if (part.type === "error") {
      if (isRetryableError(part.error) && !options.abortSignal?.aborted) call.failed();
      else call.released();
    }
  };
  return new ReadableStream<LanguageModelStreamPart>({
    async pull(controller) {
      const heldPart = held.shift();
      if (heldPart) {
        observe(heldPart);
        controller.enqueue(heldPart);
        return;
      }
      let next: ReadableStreamReadResult<LanguageModelStreamPart>;
      try {
        next = await reader.read();
      } catch (error) {
        call.failed();
        controller.error(error);
        return;
      }
      if (next.done) {
        call.released(); // ended without finish or error: nothing to learn (a no-op after either)
        controller.close();
        return;
      }
      observe(next.value);
      controller.enqueue(next.value);
    },
    cancel(reason) {
      call.released();
      return reader.cancel(reason);
    },
  });
}
