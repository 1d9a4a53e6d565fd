import type { Context } from "hono";
import { InvalidRequestError } from "../../spec/index.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The request body as text. Bytes that are not valid UTF-8 are a 400 (`invalid_request_error`), never replaced by
 * U+FFFD and stored.
 */
export async function readTextBody(c: Context): Promise<string> {
  const bytes = await c.req.arrayBuffer();
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new InvalidRequestError({ message: "request body is not valid UTF-8", code: "invalid_encoding", cause: error });
  }
}
