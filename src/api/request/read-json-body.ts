import type { Context } from "hono";
import { InvalidRequestError } from "../../spec/index.js";
import { readTextBody } from "./read-text-body.js";

/** The request body as JSON; a body that is not UTF-8 JSON is a 400, never a crash. */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await readTextBody(c);
  if (text.trim() === "") {
    throw new InvalidRequestError({ message: "The request body is empty; send a JSON object.", code: "invalid_json" });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidRequestError({
      message: `We could not parse the JSON body of your request: ${(error as Error).message}`,
      code: "invalid_json",
      cause: error,
    });
  }
}
