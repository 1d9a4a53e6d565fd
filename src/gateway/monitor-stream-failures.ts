import type { FailedAttempt, LanguageModelStreamPart } from "../spec/index.js";
import type { AttemptUsage } from "./attempt-usage.js";
import { isRetryableError } from "./retry-policy.js";
import type { RouteCall } from "./run-with-failover.js";

export type MonitorStreamOptions = {
  /** Hold every part until the stream finishes (the caller sends nothing before the end: a non-streamed response). */
  holdUntilFinish: boolean;
  abortSignal: AbortSignal | undefined;
  /** The route's name (`response-metadata.route`), for a stream that names none. */
  route: string;
  /** Observes every part read before the hand-over (what the attempt consumed, should it be abandoned). */
  usage: AttemptUsage;
  /** The call's earlier attempts, abandoned: added to the handed-on stream's `response-metadata`. */
  failedAttempts: readonly FailedAttempt[];
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
 * released otherwise (cancelled, aborted, non-retryable error). The call's earlier, abandoned attempts are handed on
 * in the stream's `response-metadata` part (one is added when the route sent none).
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
      options.usage.observe(part);
      if (part.type === "error" && isRetryableError(part.error) && !options.abortSignal?.aborted) throw part.error;
      held.push(part);
      if (part.type === "finish" || part.type === "error" || (!options.holdUntilFinish && isContent(part))) break;
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
  if (options.failedAttempts.length > 0) annotateFailedAttempts(held, options.route, [...options.failedAttempts]);

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

/** Adds the abandoned attempts to the first held `response-metadata` part, or adds one naming the route. */
function annotateFailedAttempts(held: LanguageModelStreamPart[], route: string, failedAttempts: FailedAttempt[]): void {
  const index = held.findIndex((part) => part.type === "response-metadata");
  const metadata = held[index];
  if (metadata?.type === "response-metadata") held[index] = { ...metadata, failedAttempts };
  else held.splice(held[0]?.type === "stream-start" ? 1 : 0, 0, { type: "response-metadata", route, failedAttempts });
}
