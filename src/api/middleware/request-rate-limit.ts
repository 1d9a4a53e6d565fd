import type { MiddlewareHandler } from "hono";
import type { RateLimiter } from "../../maas/index.js";
import type { AppEnvironment } from "../app-environment.js";

/** Counts the request against the key's requests-per-minute limit (429 with `retry-after` when exceeded). */
export function requestRateLimit({ rateLimiter }: { rateLimiter: RateLimiter }): MiddlewareHandler<AppEnvironment> {
  return async (c, next) => {
    await rateLimiter.checkRequest(c.get("principal"));
    await next();
  };
}
