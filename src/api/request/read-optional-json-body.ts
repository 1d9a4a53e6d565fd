import type { Context } from "hono";
import { readJsonBody } from "./read-json-body.js";

/** The request body as JSON, or `{}` when the request has none (actions whose every field is optional). */
export async function readOptionalJsonBody(c: Context): Promise<unknown> {
  const length = c.req.header("content-length");
  const chunked = c.req.header("transfer-encoding") !== undefined;
  if (!chunked && (length === undefined || length === "0")) return {};
  return readJsonBody(c);
}
