import type { Usage } from "../spec/index.js";
import type { CollectedOutput } from "./collect-output.js";
import type { ResponseObject, ResponseUsage } from "./types.js";

/**
 * The final Response object from the in-progress one and what the call produced: `completed`; `incomplete` with its
 * reason when cut by `max_output_tokens` or a content filter; `cancelled` when the caller went away; `failed` with
 * `error` when the call failed.
 */
export function finishResponse(
  started: ResponseObject,
  collected: CollectedOutput,
  options: { completedAt: number; error: { code: string; message: string } | undefined },
): ResponseObject {
  const base = { ...started, output: collected.output, usage: collected.usage ? toResponseUsage(collected.usage) : null };
  const reason = collected.finishReason?.unified;
  if (collected.error !== undefined || reason === undefined || reason === "error") {
    return { ...base, status: "failed", completed_at: null, error: options.error ?? { code: "server_error", message: "The model call failed." } };
  }
  switch (reason) {
    case "stop":
    case "tool-calls":
    case "other":
      return { ...base, status: "completed", completed_at: options.completedAt };
    case "length":
      return { ...base, status: "incomplete", completed_at: null, incomplete_details: { reason: "max_output_tokens" } };
    case "content-filter":
      return { ...base, status: "incomplete", completed_at: null, incomplete_details: { reason: "content_filter" } };
    case "cancelled":
      return { ...base, status: "cancelled", completed_at: null };
    default:
      return reason satisfies never;
  }
}

/** Normalised usage as the Responses API reports it (an unknown count is 0 on the wire only). */
export function toResponseUsage(usage: Usage): ResponseUsage {
  const inputTokens = usage.inputTokens ?? 0;
  const outputTokens = usage.outputTokens ?? 0;
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}
