import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { PayloadTooLargeError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";

/** Rejects bodies larger than `maxBytes` (by content-length, or while reading a chunked body) with a 413. */
export function bodyLimit({ maxBytes }: { maxBytes: number }): MiddlewareHandler<AppEnvironment> {
  return honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError({
        message: `Request body too large: the limit is ${maxBytes} bytes.`,
        code: "request_too_large",
      });
    },
  });
}
