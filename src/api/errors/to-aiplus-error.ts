import { HTTPException } from "hono/http-exception";
import {
  AiplusError,
  InternalError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
} from "../../spec/index.js";

/**
 * Any thrown value as an AiplusError. Hono's own HTTPExceptions keep their status class; anything else is a bug
 * (`InternalError`, `isBug: true`) whose details stay in the logs.
 */
export function toAiplusError(error: unknown): { error: AiplusError; isBug: boolean } {
  if (AiplusError.isInstance(error)) return { error, isBug: false };
  if (error instanceof HTTPException) {
    if (error.status === 413) return { error: new PayloadTooLargeError({ message: "Request body too large.", cause: error }), isBug: false };
    if (error.status === 404) return { error: new NotFoundError({ message: error.message || "Not found.", cause: error }), isBug: false };
    if (error.status < 500) return { error: new InvalidRequestError({ message: error.message || "Invalid request.", cause: error }), isBug: false };
  }
  return { error: new InternalError({ message: "The server had an error while processing your request.", cause: error }), isBug: true };
}
