import type { LanguageModelStreamPart } from "../spec/index.js";
import type { CircuitBreaker } from "./circuit-breaker.js";
import { isRetryableError } from "./retry-policy.js";

/** Passes a started stream through unchanged, counting a retryable `error` part (a cut stream) as a route failure. */
export function monitorStreamFailures(
  stream: ReadableStream<LanguageModelStreamPart>,
  breaker: CircuitBreaker,
): ReadableStream<LanguageModelStreamPart> {
  return stream.pipeThrough(
    new TransformStream<LanguageModelStreamPart, LanguageModelStreamPart>({
      transform(part, controller) {
        if (part.type === "error" && isRetryableError(part.error)) breaker.recordFailure();
        controller.enqueue(part);
      },
    }),
  );
}
