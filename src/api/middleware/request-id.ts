import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { AppEnvironment } from "../app-environment.js";

/** A client-chosen id is kept when it is short and plain. */
const acceptableId = /^[\w.:-]{1,128}$/;

export type RequestIdOptions = {
  logger: Logger;
  /** Id generator. Defaults to `crypto.randomUUID`. */
  generateId?: () => string;
};

/** Sets `requestId` and a child `logger`, and echoes the id in `x-request-id`. */
export function requestId({ logger, generateId = randomUUID }: RequestIdOptions): MiddlewareHandler<AppEnvironment> {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const id = given !== undefined && acceptableId.test(given) ? given : generateId();
    c.set("requestId", id);
    c.set("logger", logger.child({ requestId: id }));
    c.header("x-request-id", id);
    await next();
  };
}
