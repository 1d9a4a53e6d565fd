import type { FinishReason } from "../../spec/index.js";
import type { WireFinishReason } from "./wire-types.js";

export function toWireFinishReason(reason: FinishReason): WireFinishReason {
  switch (reason.unified) {
    case "length":
      return "length";
    case "tool-calls":
      return "tool_calls";
    case "content-filter":
      return "content_filter";
    case "stop":
    case "cancelled":
    case "error":
    case "other":
      return "stop";
    default:
      return reason.unified satisfies never;
  }
}
