import type { FinishReason } from "../../spec/index.js";

/** Maps OpenAI's `finish_reason` to the unified value, keeping the upstream's string as `raw`. */
export function mapFinishReason(finishReason: string | null | undefined): FinishReason {
  const raw = finishReason ?? undefined;
  switch (finishReason) {
    case "stop":
      return { unified: "stop", raw };
    case "length":
      return { unified: "length", raw };
    case "tool_calls":
    case "function_call":
      return { unified: "tool-calls", raw };
    case "content_filter":
      return { unified: "content-filter", raw };
    default:
      return { unified: "other", raw };
  }
}
