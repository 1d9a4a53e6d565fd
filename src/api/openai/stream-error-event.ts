import { errorBody } from "../errors/error-body.js";
import { toAiplusError } from "../errors/to-aiplus-error.js";
import type { StreamErrorEvent } from "./wire-types.js";

/** An error part as the one `data: {"error":…}` event a failed stream ends with (no `[DONE]` follows). */
export function streamErrorEvent(error: unknown, onBug: (error: unknown) => void): StreamErrorEvent {
  const mapped = toAiplusError(error);
  if (mapped.isBug) onBug(error);
  return errorBody(mapped.error);
}
