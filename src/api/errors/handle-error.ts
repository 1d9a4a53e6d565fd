import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { NotFoundError, type AiplusError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { errorBody } from "./error-body.js";
import { toAiplusError } from "./to-aiplus-error.js";

/** `retry-after` of a 503 or 429 whose error does not know when a retry may succeed. */
const defaultRetryAfterSeconds = 1;

/**
 * The one error funnel: every thrown value becomes OpenAI's error JSON with the error's status and headers.
 * Every 503 and 429 carries `retry-after` (the error's own, else 1 second). Bugs are logged with their stack and
 * answered with a generic 500.
 */
export function handleError(fallbackLogger: Logger): ErrorHandler<AppEnvironment> {
  return (thrown, c) => {
    const { error, isBug } = toAiplusError(thrown);
    const logger = requestLogger(c, fallbackLogger);
    if (isBug) logger.error({ err: thrown }, "unhandled error");
    else logger.debug({ status: error.statusCode, type: error.type, code: error.code, message: error.message }, "request failed");
    return c.json(errorBody(error), error.statusCode as ContentfulStatusCode, responseHeaders(error));
  };
}

function responseHeaders(error: AiplusError): Record<string, string> {
  const headers = error.headers();
  const askRetryLater = error.statusCode === 503 || error.statusCode === 429;
  if (askRetryLater && headers["retry-after"] === undefined) headers["retry-after"] = String(defaultRetryAfterSeconds);
  return headers;
}

/** 404 for every unknown route, in the same shape. */
export const handleNotFound: NotFoundHandler<AppEnvironment> = (c) => {
  const error = new NotFoundError({ message: `Unknown request URL: ${c.req.method} ${c.req.path}.`, code: "unknown_url" });
  return c.json(errorBody(error), 404);
};

function requestLogger(c: Context<AppEnvironment>, fallback: Logger): Logger {
  return c.get("logger") ?? fallback;
}
